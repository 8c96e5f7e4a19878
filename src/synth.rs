//! Synthetic data sets with a known structure, for tests, benchmarks and classroom presets.
//! Written as CSV text so they go through exactly the path a user's file does.

use std::io::{self, Write};

use crate::rng::Rng;

const AGES: [u32; 7] = [1, 18, 25, 35, 45, 50, 56];
const GENRES: [&str; 18] = [
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
];

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

/// The paper's story in one file: 24 cities × 24 products. Most pairs follow a smooth rule
/// (people buy when a city's taste and a product's style agree, p = σ(4·u·v)) that embeddings
/// learn from all pairs at once; 24 frequent pairs are exceptions with the opposite outcome,
/// which only a `city × product` cross can memorize. Joint beats both parts; without the cross
/// the wide and joint models lose the exceptions.
pub fn memorize_generalize(rows: usize, seed: u64, out: &mut impl Write) -> io::Result<()> {
    const SIDE: usize = 24;
    let mut rng = Rng::new(seed, 11);
    let taste: Vec<f64> = (0..SIDE).map(|_| rng.next_f64() * 2.0 - 1.0).collect();
    let style: Vec<f64> = (0..SIDE).map(|_| rng.next_f64() * 2.0 - 1.0).collect();
    let exceptions: Vec<(usize, usize)> = (0..SIDE).map(|_| (rng.below(SIDE), rng.below(SIDE))).collect();
    writeln!(out, "city,product,price,bought")?;
    for _ in 0..rows {
        let (city, product) = if rng.next_f64() < 0.3 { exceptions[rng.below(SIDE)] } else { (rng.below(SIDE), rng.below(SIDE)) };
        let rule = 1.0 / (1.0 + (-4.0 * taste[city] * style[product]).exp());
        let p = if exceptions.contains(&(city, product)) { if rule < 0.5 { 0.95 } else { 0.05 } } else { rule };
        let price = 5.0 + rng.next_f64() * 95.0;
        writeln!(out, "city_{:02},product_{:02},{price:.2},{}", city + 1, product + 1, u8::from(rng.next_f64() < p))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{ColumnKind, Schema, read_table};

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
