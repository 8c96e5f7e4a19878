//! What the cells of a cross map and the points of an embedding map are coloured by: the mean
//! target of their rows, read as the task reads it (a share of positives, the share of one
//! class, or a number in the label's units), with the words and the colour scale that go with it.

use serde::{Deserialize, Serialize};

/// The mean target a map shows.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shade {
    /// A yes/no label: the share of positives, 0 to 1.
    #[default]
    Rate,
    /// Several classes: the share of this one, 0 to 1.
    Class(String),
    /// A number's mean in its units; the label's mean and standard deviation on the training
    /// rows centre and span the colour scale.
    Number {
        /// The label column.
        label: String,
        /// Its mean on the training rows.
        mean: f64,
        /// Its standard deviation there.
        sd: f64,
    },
}

/// A number's colour scale spans this many standard deviations on either side of its mean.
const NUMBER_SPAN: f64 = 2.0;
/// A cell of a number departs from the deep model when they differ by this many standard
/// deviations or more (with the rows to tell): half of one, as a rate's 0.25 is a quarter of its
/// scale.
const NUMBER_GAP: f64 = 0.5;
/// A rate departs from the deep model when they differ by this much or more.
const EXCEPTION_GAP: f64 = 0.25;

impl Shade {
    /// What a value is, in words: "positive rate", "share of travel", "mean price".
    pub fn name(&self) -> String {
        match self {
            Self::Rate => "positive rate".into(),
            Self::Class(class) => format!("share of {class}"),
            Self::Number { label, .. } => format!("mean {label}"),
        }
    }

    /// A value as a legend or a sentence writes it: a percentage, or a number with the
    /// decimals the label's spread calls for.
    pub fn format(&self, value: f64) -> String {
        match self {
            Self::Number { sd, .. } => {
                let decimals = (2.0 - sd.log10().floor()).clamp(0.0, 6.0) as usize;
                format!("{value:.decimals$}")
            }
            _ => format!("{:.0}%", 100.0 * value),
        }
    }

    /// A value in words, as a point's label and the page's list say it: "48% positive",
    /// "12% travel", "mean price 412".
    pub fn says(&self, value: f64) -> String {
        match self {
            Self::Rate => format!("{} positive", self.format(value)),
            Self::Class(class) => format!("{} {class}", self.format(value)),
            Self::Number { .. } => format!("{} {}", self.name(), self.format(value)),
        }
    }

    /// Where `value` falls on the maps' diverging colour scale, 0 to 1 (white at 0.5): a rate as
    /// it is; a number [`NUMBER_SPAN`] standard deviations either side of the label's mean.
    pub fn position(&self, value: f64) -> f64 {
        match self {
            Self::Number { mean, sd, .. } => (0.5 + (value - mean) / (2.0 * NUMBER_SPAN * sd)).clamp(0.0, 1.0),
            _ => value,
        }
    }

    /// The value at `position` of the colour scale (its key's labels).
    pub fn value_at(&self, position: f64) -> f64 {
        match self {
            Self::Number { mean, sd, .. } => mean + (position - 0.5) * 2.0 * NUMBER_SPAN * sd,
            _ => position,
        }
    }

    /// The smallest gap between the data and the deep model that a cross map outlines.
    pub fn gap(&self) -> f64 {
        match self {
            Self::Number { sd, .. } => NUMBER_GAP * sd,
            _ => EXCEPTION_GAP,
        }
    }

    /// The gap in words: "0.25" for a rate, "80.5 (half a standard deviation)" for a number.
    pub fn gap_words(&self) -> String {
        match self {
            Self::Number { .. } => format!("{} (half a standard deviation)", self.format(self.gap())),
            _ => format!("{EXCEPTION_GAP}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_and_a_number_read_and_colour_as_their_task() {
        assert_eq!((Shade::Rate.name(), Shade::Rate.format(0.482), Shade::Rate.position(0.3)), ("positive rate".into(), "48%".into(), 0.3));
        assert_eq!(Shade::Class("travel".into()).name(), "share of travel");
        let price = Shade::Number { label: "price".into(), mean: 300.0, sd: 150.0 };
        assert_eq!((price.name(), price.format(412.345)), ("mean price".into(), "412".into()));
        assert_eq!((price.position(300.0), price.position(450.0), price.position(2000.0)), (0.5, 0.75, 1.0));
        assert_eq!((price.value_at(0.0), price.value_at(1.0)), (0.0, 600.0));
        assert_eq!((price.gap(), price.gap_words()), (75.0, "75 (half a standard deviation)".into()));
        assert_eq!(Shade::Rate.gap_words(), "0.25");
        assert_eq!(
            (Shade::Rate.says(0.48), Shade::Class("travel".into()).says(0.12), price.says(412.3)),
            ("48% positive".into(), "12% travel".into(), "mean price 412".into())
        );
    }
}
