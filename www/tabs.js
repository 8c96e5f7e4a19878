// The output column's pictures as tabs: one panel shown at a time, so the cross map, the
// embedding map, the named weights and the what-if each get the whole column on one screen.
// Keyboard as the ARIA tabs pattern: arrows, Home and End move between tabs.

/** A tab list whose buttons name their panels with `aria-controls`. */
export class Tabs {
  constructor(list) {
    this.tabs = [...list.querySelectorAll('[role="tab"]')];
    for (const tab of this.tabs) tab.addEventListener('click', () => this.select(tab));
    list.addEventListener('keydown', (event) => {
      const at = this.tabs.indexOf(document.activeElement);
      const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: this.tabs.length - 1 }[event.key];
      if (at < 0 || to === undefined) return;
      event.preventDefault();
      const tab = this.tabs[(to + this.tabs.length) % this.tabs.length];
      this.select(tab);
      tab.focus();
    });
  }

  /** Shows `tab`'s panel and hides the others. */
  select(tab) {
    for (const other of this.tabs) {
      const selected = other === tab;
      other.setAttribute('aria-selected', String(selected));
      other.tabIndex = selected ? 0 : -1;
      document.getElementById(other.getAttribute('aria-controls')).hidden = !selected;
    }
  }

  /** Shows the panel that holds `element` (a lesson step's target), if a tab's panel holds it. */
  reveal(element) {
    const tab = this.tabs.find((t) => document.getElementById(t.getAttribute('aria-controls'))?.contains(element));
    if (tab) this.select(tab);
  }
}
