//! Synthetic data sets with a known structure, for tests, benchmarks and classroom presets.
//! Written as CSV text so they go through exactly the path a user's file does.

use std::io::{self, Write};

use crate::data::MOVIELENS_GENRES;
use crate::rng::Rng;

const AGES: [u32; 7] = [1, 18, 25, 35, 45, 50, 56];
/// MovieLens's genres, without its "unknown".
const GENRES: &[&str] = MOVIELENS_GENRES.split_at(1).1;

/// A MovieLens-100K-shaped ratings file: 943 users (age code, gender, occupation, zip), 1,682
/// movies with 1–3 genres, and ratings from user and movie biases plus a per-user taste for
/// each genre, so ids, genres and their crosses all carry signal, as in the real data.
pub fn movielens(rows: usize, seed: u64, out: &mut impl Write) -> io::Result<()> {
    let mut rng = Rng::new(seed, 10);
    let users: Vec<(u32, char, u32, u32, f64)> = (0..943)
        .map(|_| {
            (
                AGES[rng.below(7)],
                if rng.next_f64() < 0.71 { 'M' } else { 'F' },
                rng.below(21) as u32,
                10_000 + rng.below(90_000) as u32,
                rng.normal() * 0.5,
            )
        })
        .collect();
    let taste: Vec<f64> = (0..943 * GENRES.len()).map(|_| rng.normal() * 0.6).collect();
    let movies: Vec<(Vec<usize>, f64)> = (0..1682)
        .map(|_| {
            let mut genres: Vec<usize> = (0..1 + rng.below(3)).map(|_| rng.below(GENRES.len())).collect();
            genres.sort_unstable();
            genres.dedup();
            (genres, rng.normal() * 0.7)
        })
        .collect();
    writeln!(out, "user_id,movie_id,age,gender,occupation,zip_code,genres,rating,timestamp,liked")?;
    for i in 0..rows {
        let (u, m) = (rng.below(943), rng.below(1682));
        let (age, gender, occupation, zip, user_bias) = users[u];
        let (genres, movie_bias) = &movies[m];
        let affinity: f64 = genres.iter().map(|&g| taste[u * GENRES.len() + g]).sum::<f64>() / genres.len() as f64;
        let score = 3.5 + user_bias + movie_bias + affinity + rng.normal() * 0.8;
        let rating = score.round().clamp(1.0, 5.0) as u32;
        let names: Vec<&str> = genres.iter().map(|&g| GENRES[g]).collect();
        writeln!(
            out,
            "{},{},{age},{gender},{occupation},{zip},{},{rating},{},{}",
            u + 1,
            m + 1,
            names.join("|"),
            874_724_710 + i as u64 * 7,
            u8::from(rating >= 4)
        )?;
    }
    Ok(())
}

/// The memorize-vs-generalize world: a taste per city, a style per product, and the exception
/// pairs whose outcome is the opposite of the rule. Drawn from a seed, so a test knows the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct MemorizeWorld {
    /// Each city's taste in [-1, 1).
    pub taste: Vec<f64>,
    /// Each product's style in [-1, 1).
    pub style: Vec<f64>,
    /// The (city, product) pairs, 0-based, that break the rule (a pair may be drawn twice).
    pub exceptions: Vec<(usize, usize)>,
}

/// Cities, products and exception pairs in the memorize world.
pub const MEMORIZE_SIDE: usize = 24;
/// The share of rows drawn from the exception pairs: enough rows each for the wide cross to
/// memorize them, too few for 2-d embeddings to bend the rule around them.
const EXCEPTION_SHARE: f64 = 0.1;

impl MemorizeWorld {
    /// The world of `seed`.
    pub fn new(seed: u64) -> (Self, Rng) {
        let mut rng = Rng::new(seed, 11);
        let taste = (0..MEMORIZE_SIDE).map(|_| rng.next_f64() * 2.0 - 1.0).collect();
        let style = (0..MEMORIZE_SIDE).map(|_| rng.next_f64() * 2.0 - 1.0).collect();
        let exceptions = (0..MEMORIZE_SIDE).map(|_| (rng.below(MEMORIZE_SIDE), rng.below(MEMORIZE_SIDE))).collect();
        (Self { taste, style, exceptions }, rng)
    }

    /// The chance that `product` sells in `city`: the smooth rule σ(4·taste·style), or its
    /// opposite side (0.95 or 0.05) on an exception pair.
    pub fn probability(&self, city: usize, product: usize) -> f64 {
        let rule = 1.0 / (1.0 + (-4.0 * self.taste[city] * self.style[product]).exp());
        if self.exceptions.contains(&(city, product)) { if rule < 0.5 { 0.95 } else { 0.05 } } else { rule }
    }

    /// The names the file gives a city and a product (1-based, like `city_03`).
    pub fn names(city: usize, product: usize) -> (String, String) {
        (format!("city_{:02}", city + 1), format!("product_{:02}", product + 1))
    }
}

/// The paper's story in one file: 24 cities × 24 products. Most pairs follow a smooth rule
/// (people buy when a city's taste and a product's style agree, p = σ(4·u·v)) that small
/// embeddings learn from all pairs at once; 24 pairs, a tenth of the rows, are exceptions with
/// the opposite outcome, which only a `city × product` cross can memorize. Joint beats both parts; without the cross
/// the wide and joint models lose the exceptions. See [`MemorizeWorld`] for the answer key.
pub fn memorize_generalize(rows: usize, seed: u64, out: &mut impl Write) -> io::Result<()> {
    let (world, mut rng) = MemorizeWorld::new(seed);
    writeln!(out, "city,product,price,bought")?;
    for _ in 0..rows {
        let (city, product) = if rng.next_f64() < EXCEPTION_SHARE {
            world.exceptions[rng.below(MEMORIZE_SIDE)]
        } else {
            (rng.below(MEMORIZE_SIDE), rng.below(MEMORIZE_SIDE))
        };
        let p = world.probability(city, product);
        let price = 5.0 + rng.next_f64() * 95.0;
        let (city, product) = MemorizeWorld::names(city, product);
        writeln!(out, "{city},{product},{price:.2},{}", u8::from(rng.next_f64() < p))?;
    }
    Ok(())
}

/// Groups of users (their city) and genres of items in [`ids`]: the few interactions a cross of
/// the two can learn.
const ID_GROUPS: usize = 8;
const ID_GENRES: usize = 12;

/// Recommender-scale ids: `rows` interactions of `users` users with `items` items, popular ones
/// more often (a power law, as real logs are), labelled from each user's and each item's own bias
/// plus a few city × genre effects. So ids carry most of the signal (only embeddings or wide
/// weights per id can learn the biases) and the AUC is meaningful: a model that learns nothing
/// scores 0.5, one that knew the biases about 0.8.
pub fn ids(users: usize, items: usize, rows: usize, seed: u64, out: &mut impl Write) -> io::Result<()> {
    let mut rng = Rng::new(seed, 12);
    let user_bias: Vec<f64> = (0..users).map(|_| rng.normal() * 0.8).collect();
    let item_bias: Vec<f64> = (0..items).map(|_| rng.normal() * 0.8).collect();
    let effects: Vec<f64> = (0..ID_GROUPS * ID_GENRES).map(|_| if rng.next_f64() < 0.2 { rng.normal() * 1.5 } else { 0.0 }).collect();
    let popular = |n: usize, rng: &mut Rng| ((rng.next_f64().powi(3)) * n as f64) as usize;
    writeln!(out, "user_id,item_id,city,genre,label")?;
    for _ in 0..rows {
        let (u, i) = (popular(users, &mut rng), popular(items, &mut rng));
        let (group, genre) = (u % ID_GROUPS, i % ID_GENRES);
        let logit = user_bias[u] + item_bias[i] + effects[group * ID_GENRES + genre] - 0.2;
        let label = rng.next_f64() < 1.0 / (1.0 + (-logit).exp());
        writeln!(out, "{},{},city_{},genre_{},{}", u + 1, i + 1, group + 1, genre + 1, u8::from(label))?;
    }
    Ok(())
}

/// The kinds of home in [`prices`].
const KINDS: [&str; 6] = ["flat", "house", "loft", "studio", "cottage", "villa"];
/// Neighbourhoods, and the neighbourhood × kind pairs with a premium of their own, in [`prices`].
pub const NEIGHBOURHOODS: usize = 12;
const PREMIUM_PAIRS: usize = 12;
/// The noise on every price (thousands): what no model can predict.
pub const PRICE_NOISE: f64 = 25.0;

/// The home-price world: each neighbourhood and kind shifts the price, area and rooms add to it
/// linearly, and a few neighbourhood × kind pairs carry a premium (or a discount) of their own.
/// Drawn from a seed, so a test knows the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceWorld {
    /// Each neighbourhood's shift, in thousands.
    pub neighbourhood: Vec<f64>,
    /// Each kind's shift, in thousands.
    pub kind: Vec<f64>,
    /// The (neighbourhood, kind) pairs, 0-based, with their premium.
    pub premiums: Vec<((usize, usize), f64)>,
}

impl PriceWorld {
    /// The world of `seed`.
    pub fn new(seed: u64) -> (Self, Rng) {
        let mut rng = Rng::new(seed, 13);
        let neighbourhood = (0..NEIGHBOURHOODS).map(|_| rng.normal() * 40.0).collect();
        let kind = (0..KINDS.len()).map(|_| rng.normal() * 30.0).collect();
        let premiums = (0..PREMIUM_PAIRS)
            .map(|i| ((rng.below(NEIGHBOURHOODS), rng.below(KINDS.len())), if i % 2 == 0 { 120.0 } else { -120.0 }))
            .collect();
        (Self { neighbourhood, kind, premiums }, rng)
    }

    /// The expected price (thousands) of a home: everything but the noise.
    pub fn price(&self, neighbourhood: usize, kind: usize, area: f64, rooms: u32) -> f64 {
        let premium: f64 = self.premiums.iter().filter(|(pair, _)| *pair == (neighbourhood, kind)).map(|(_, p)| p).sum();
        40.0 + 2.5 * area + 12.0 * f64::from(rooms) + self.neighbourhood[neighbourhood] + self.kind[kind] + premium
    }
}

/// Home prices, a regression: `price` (thousands) from the neighbourhood, the kind of home, its
/// area and rooms. Area and rooms are linear (the deep part's numbers fit them); the premiums of
/// a few neighbourhood × kind pairs are what a cross of the two memorizes and small embeddings
/// smooth away. See [`PriceWorld`] for the answer key; [`PRICE_NOISE`] is the error no model
/// avoids.
pub fn prices(rows: usize, seed: u64, out: &mut impl Write) -> io::Result<()> {
    let (world, mut rng) = PriceWorld::new(seed);
    writeln!(out, "neighbourhood,kind,area,rooms,price")?;
    for _ in 0..rows {
        let (n, k) = (rng.below(NEIGHBOURHOODS), rng.below(KINDS.len()));
        let area = 30.0 + rng.next_f64() * 170.0;
        let rooms = (area / 35.0 + rng.normal() * 0.7).round().clamp(1.0, 6.0) as u32;
        let price = world.price(n, k, area, rooms) + rng.normal() * PRICE_NOISE;
        writeln!(out, "nb_{:02},{},{area:.1},{rooms},{price:.1}", n + 1, KINDS[k])?;
    }
    Ok(())
}

/// The genres a reader picks in [`readers`], in the label's order of first appearance.
pub const READER_GENRES: [&str; 4] = ["mystery", "romance", "science", "travel"];
/// Cities and shelves in [`readers`], and the city × shelf pairs whose readers pick travel.
pub const READER_CITIES: usize = 40;
const READER_SHELVES: usize = 30;
const TRAVEL_PAIRS: usize = 10;

/// The readers' world: a taste per city and a style per shelf (mystery when they agree, romance
/// when they clash: what small embeddings learn from all pairs), science for readers with many
/// hours (a number), and a few city × shelf pairs where nearly everyone picks travel (what only a
/// cross memorizes). Drawn from a seed, so a test knows each row's class probabilities.
#[derive(Debug, Clone, PartialEq)]
pub struct ReaderWorld {
    /// Each city's taste in [-1, 1).
    pub taste: Vec<f64>,
    /// Each shelf's style in [-1, 1).
    pub style: Vec<f64>,
    /// The (city, shelf) pairs, 0-based, whose readers pick travel.
    pub travel: Vec<(usize, usize)>,
}

impl ReaderWorld {
    /// The world of `seed`.
    pub fn new(seed: u64) -> (Self, Rng) {
        let mut rng = Rng::new(seed, 14);
        let taste = (0..READER_CITIES).map(|_| rng.next_f64() * 2.0 - 1.0).collect();
        let style = (0..READER_SHELVES).map(|_| rng.next_f64() * 2.0 - 1.0).collect();
        let travel = (0..TRAVEL_PAIRS).map(|_| (rng.below(READER_CITIES), rng.below(READER_SHELVES))).collect();
        (Self { taste, style, travel }, rng)
    }

    /// The chance of each genre ([`READER_GENRES`] order) for a reader in `city` at `shelf`
    /// reading `hours` a week.
    pub fn probabilities(&self, city: usize, shelf: usize, hours: f64) -> [f64; 4] {
        if self.travel.contains(&(city, shelf)) {
            return [0.03, 0.03, 0.04, 0.9];
        }
        let agree = 3.0 * self.taste[city] * self.style[shelf];
        let scores = [agree, -agree, (hours - 6.0) * 0.8, -3.0];
        let most = scores.iter().fold(f64::MIN, |m, &s| m.max(s));
        let e = scores.map(|s| (s - most).exp());
        let sum: f64 = e.iter().sum();
        e.map(|v| v / sum)
    }
}

/// A multiclass story: which genre a reader picks (mystery, romance, science or travel) from their
/// city, the shelf they browse and the hours they read. Each part of the model learns its own
/// class: the embeddings the mystery/romance rule, the deep part's number science, the wide
/// `city × shelf` cross the travel pairs (a tenth of the rows). See [`ReaderWorld`] for the answer key.
pub fn readers(rows: usize, seed: u64, out: &mut impl Write) -> io::Result<()> {
    let (world, mut rng) = ReaderWorld::new(seed);
    writeln!(out, "city,shelf,hours,genre")?;
    for _ in 0..rows {
        let (city, shelf) = if rng.next_f64() < EXCEPTION_SHARE {
            world.travel[rng.below(TRAVEL_PAIRS)]
        } else {
            (rng.below(READER_CITIES), rng.below(READER_SHELVES))
        };
        let hours = rng.next_f64() * 12.0;
        let p = world.probabilities(city, shelf, hours);
        let draw = rng.next_f64();
        let genre = p.iter().scan(0.0, |sum, &q| {
            *sum += q;
            Some(*sum)
        });
        let class = genre.take_while(|&edge| edge <= draw).count().min(3);
        writeln!(out, "town_{:02},shelf_{:02},{hours:.1},{}", city + 1, shelf + 1, READER_GENRES[class])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{ColumnKind, Schema, read_table};

    #[test]
    fn ids_are_ids_and_popular_ones_come_often() {
        let mut text = Vec::new();
        ids(5000, 1000, 20_000, 1, &mut text).unwrap();
        let table = read_table(text.as_slice()).unwrap();
        let schema = Schema::infer(&table);
        let kind = |c: &str| schema.column(c).unwrap().kind;
        assert_eq!(
            (kind("user_id"), kind("item_id"), kind("city"), kind("genre")),
            (ColumnKind::Id, ColumnKind::Id, ColumnKind::Categorical, ColumnKind::Categorical)
        );
        assert_eq!(schema.label.as_deref(), Some("label"));
        let (counts, _) = table.column("user_id").unwrap().counts();
        let most = counts.iter().max().unwrap();
        assert!(
            *most > 100 && counts.len() > 2000,
            "a power law: the most popular user has {most} rows of 20,000, {} users appear",
            counts.len()
        );
    }

    #[test]
    fn movielens_shape_and_kinds() {
        let mut text = Vec::new();
        movielens(2000, 1, &mut text).unwrap();
        let table = read_table(text.as_slice()).unwrap();
        let schema = Schema::infer(&table);
        let kind = |c: &str| schema.column(c).unwrap().kind;
        assert_eq!(table.rows(), 2000);
        assert_eq!(kind("user_id"), ColumnKind::Id);
        assert_eq!(kind("age"), ColumnKind::Categorical);
        assert_eq!(kind("occupation"), ColumnKind::Categorical);
        assert_eq!(kind("genres"), ColumnKind::MultiCategorical);
        assert_eq!(schema.label.as_deref(), Some("liked"));
        let liked = table.column("liked").unwrap();
        let share = liked.codes.iter().filter(|&&c| &*liked.values[c as usize] == "1").count() as f64 / 2000.0;
        assert!((0.3..0.7).contains(&share), "{share}");
    }
}
