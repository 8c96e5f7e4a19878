//! MovieLens as it is published: several files (ratings, users, movies) in one of three layouts,
//! recognised by their names and joined into one table of ratings with the user's and the
//! movie's features, so a class can drop `ml-1m.zip` and train.
//!
//! The joined table: `user_id, movie_id, rating, timestamp, liked` (1 when the rating is 4 or
//! more, as the Wide & Deep seed study labels it), then `gender, age, occupation, zip_code` where
//! the layout has users, then `title, year` (parsed from the title's trailing "(1995)") and
//! `genres` (`|`-separated, a multi-valued column).

use rustc_hash::FxHashMap;

use super::archive::NamedBytes;
use super::table::{Column, Table};
use super::text::decode;
use crate::{Error, Result};

/// MovieLens's genres in the order of MovieLens 100K's flag columns (used when `u.genre` is
/// absent), "unknown" first.
pub const MOVIELENS_GENRES: [&str; 19] = [
    "unknown",
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

/// A published MovieLens release, by the files and their format it comes as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Release {
    /// ML-1M: `ratings.dat`, `users.dat`, `movies.dat`, `::`-separated, Latin-1.
    OneMillion,
    /// ML-100K: `u.data` (tabs), `u.user` and `u.item` (`|`), Latin-1.
    HundredK,
    /// ML-latest(-small): `ratings.csv`, `movies.csv`, UTF-8, no user features.
    Latest,
}

impl Release {
    fn name(self) -> &'static str {
        match self {
            Self::OneMillion => "MovieLens 1M",
            Self::HundredK => "MovieLens 100K",
            Self::Latest => "MovieLens (latest)",
        }
    }

    /// The files each layout needs, by base name.
    fn files(self) -> &'static [&'static str] {
        match self {
            Self::OneMillion => &["ratings.dat", "users.dat", "movies.dat"],
            Self::HundredK => &["u.data", "u.user", "u.item"],
            Self::Latest => &["ratings.csv", "movies.csv"],
        }
    }

    /// The layout whose files are all among `files`, if any.
    pub fn recognise(files: &[NamedBytes]) -> Option<Self> {
        let names: Vec<String> = files.iter().map(NamedBytes::base_name).collect();
        [Self::OneMillion, Self::HundredK, Self::Latest].into_iter().find(|l| l.files().iter().all(|f| names.iter().any(|n| n == f)))
    }

    /// What a user should have dropped, for an error naming what was found instead.
    pub fn expected() -> String {
        let layouts: Vec<String> =
            [Self::OneMillion, Self::HundredK, Self::Latest].iter().map(|l| format!("{} ({})", l.name(), l.files().join(", "))).collect();
        layouts.join("; or ")
    }
}

/// One movie's features.
struct Movie {
    title: String,
    year: Option<String>,
    genres: String,
}

/// One user's features: gender, age, occupation, zip code.
type User = [String; 4];

/// The joined ratings table of a recognised layout, with a note saying what was joined.
pub fn join(layout: Release, files: &[NamedBytes]) -> Result<Table> {
    let file = |name: &str| files.iter().find(|f| f.base_name() == name).expect("recognised layouts have their files");
    let text = |name: &str| decode(&file(name).bytes).0.into_owned();
    let (ratings, users, movies) = match layout {
        Release::OneMillion => (
            split_lines(&text("ratings.dat"), "ratings.dat", "::", 4)?,
            Some(users_1m(&text("users.dat"))?),
            movies_1m(&text("movies.dat"))?,
        ),
        Release::HundredK => {
            let genres = files.iter().find(|f| f.base_name() == "u.genre").map(|f| genre_names(&decode(&f.bytes).0));
            (split_lines(&text("u.data"), "u.data", "\t", 4)?, Some(users_100k(&text("u.user"))?), movies_100k(&text("u.item"), genres)?)
        }
        Release::Latest => (csv_rows(&text("ratings.csv"), "ratings.csv", 4)?, None, movies_latest(&text("movies.csv"))?),
    };
    let mut table = ratings_table(&ratings, users.as_ref(), &movies)?;
    table.notes.push(format!(
        "{}: {} ratings × {} users × {} movies, joined into one table (liked = rating ≥ 4)",
        layout.name(),
        thousands(ratings.len()),
        thousands(users.as_ref().map_or_else(|| distinct(&ratings, 0), FxHashMap::len)),
        thousands(movies.len())
    ));
    Ok(table)
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn distinct(rows: &[Vec<String>], column: usize) -> usize {
    rows.iter().map(|r| r[column].as_str()).collect::<std::collections::HashSet<_>>().len()
}

/// Non-empty lines split on `separator` into exactly `fields` fields (more are an error naming the line).
fn split_lines(text: &str, file: &str, separator: &str, fields: usize) -> Result<Vec<Vec<String>>> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            let parts: Vec<String> = line.split(separator).map(|p| p.trim().to_string()).collect();
            if parts.len() < fields {
                return Err(Error::Archive(format!(
                    "{file}, line {}: expected {fields} fields separated by '{separator}', found {}",
                    i + 1,
                    parts.len()
                )));
            }
            Ok(parts)
        })
        .collect()
}

/// A CSV file's rows after its header, each with at least `fields` fields.
fn csv_rows(text: &str, file: &str, fields: usize) -> Result<Vec<Vec<String>>> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    reader
        .records()
        .map(|record| {
            let record = record.map_err(|e| Error::Archive(format!("{file}: {e}")))?;
            if record.len() < fields {
                let line = record.position().map_or(0, |p| p.line());
                return Err(Error::Archive(format!("{file}, line {line}: expected {fields} fields, found {}", record.len())));
            }
            Ok(record.iter().map(str::to_string).collect())
        })
        .collect()
}

fn users_1m(text: &str) -> Result<FxHashMap<String, User>> {
    let rows = split_lines(text, "users.dat", "::", 5)?;
    Ok(rows.into_iter().map(|r| (r[0].clone(), [r[1].clone(), r[2].clone(), r[3].clone(), r[4].clone()])).collect())
}

fn users_100k(text: &str) -> Result<FxHashMap<String, User>> {
    let rows = split_lines(text, "u.user", "|", 5)?;
    Ok(rows.into_iter().map(|r| (r[0].clone(), [r[2].clone(), r[1].clone(), r[3].clone(), r[4].clone()])).collect())
}

fn movies_1m(text: &str) -> Result<FxHashMap<String, Movie>> {
    let rows = split_lines(text, "movies.dat", "::", 3)?;
    Ok(rows.into_iter().map(|r| (r[0].clone(), movie(&r[1], r[2].clone()))).collect())
}

fn movies_100k(text: &str, genres: Option<Vec<String>>) -> Result<FxHashMap<String, Movie>> {
    let names: Vec<String> = genres.unwrap_or_else(|| MOVIELENS_GENRES.iter().map(|g| g.to_string()).collect());
    let rows = split_lines(text, "u.item", "|", 5 + names.len())?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let genres: Vec<&str> = names.iter().zip(&r[5..]).filter(|(_, flag)| flag.as_str() == "1").map(|(g, _)| g.as_str()).collect();
            (r[0].clone(), movie(&r[1], genres.join("|")))
        })
        .collect())
}

fn movies_latest(text: &str) -> Result<FxHashMap<String, Movie>> {
    let rows = csv_rows(text, "movies.csv", 3)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let genres = if r[2] == "(no genres listed)" { String::new() } else { r[2].clone() };
            (r[0].clone(), movie(&r[1], genres))
        })
        .collect())
}

/// `u.genre`'s names in index order (`Action|1`).
fn genre_names(text: &str) -> Vec<String> {
    let mut pairs: Vec<(usize, String)> = text
        .lines()
        .filter_map(|line| line.rsplit_once('|').and_then(|(name, index)| index.trim().parse().ok().map(|i| (i, name.to_string()))))
        .collect();
    pairs.sort();
    pairs.into_iter().map(|(_, name)| name).collect()
}

/// A movie from its title (`Toy Story (1995)`, the year taken from the end) and genres.
fn movie(title: &str, genres: String) -> Movie {
    let title = title.trim();
    let year = title
        .strip_suffix(')')
        .and_then(|t| t.rsplit_once('('))
        .map(|(_, year)| year.trim())
        .filter(|y| y.len() == 4 && y.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string);
    Movie { title: title.to_string(), year, genres }
}

/// The joined columns, one row per rating.
fn ratings_table(ratings: &[Vec<String>], users: Option<&FxHashMap<String, User>>, movies: &FxHashMap<String, Movie>) -> Result<Table> {
    let mut names = vec!["user_id", "movie_id", "rating", "timestamp", "liked"];
    if users.is_some() {
        names.extend(["gender", "age", "occupation", "zip_code"]);
    }
    names.extend(["title", "year", "genres"]);
    let mut columns: Vec<Column> = names.iter().map(|n| Column::new(*n)).collect();
    let no_user: User = Default::default();
    for rating in ratings {
        let [user, movie, stars, time] = [&rating[0], &rating[1], &rating[2], &rating[3]];
        let liked = match stars.parse::<f64>() {
            Ok(x) => {
                if x >= 4.0 {
                    "1"
                } else {
                    "0"
                }
            }
            Err(_) => return Err(Error::Archive(format!("rating '{stars}' of user {user} for movie {movie} is not a number"))),
        };
        let mut cells: Vec<&str> = vec![user, movie, stars, time, liked];
        if let Some(users) = users {
            cells.extend(users.get(user).unwrap_or(&no_user).iter().map(String::as_str));
        }
        let features = movies.get(movie);
        cells.push(features.map_or("", |m| m.title.as_str()));
        cells.push(features.and_then(|m| m.year.as_deref()).unwrap_or(""));
        cells.push(features.map_or("", |m| m.genres.as_str()));
        for (column, cell) in columns.iter_mut().zip(cells) {
            column.push(cell);
        }
    }
    columns.iter_mut().for_each(Column::seal);
    if ratings.is_empty() {
        return Err(Error::NoRows);
    }
    Ok(Table { columns, delimiter: b',', notes: Vec::new() })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A tiny ML-1M in its published format: Latin-1 titles with accents, `|` genre lists.
    pub(crate) fn ml_1m() -> Vec<NamedBytes> {
        vec![
            NamedBytes::new("ml-1m/ratings.dat", b"1::10::5::978300760\n1::20::3::978302109\n2::10::4::978301968\n2::30::1::978300275\n".to_vec()),
            NamedBytes::new("ml-1m/users.dat", b"1::F::1::10::48067\n2::M::56::16::70072\n".to_vec()),
            NamedBytes::new(
                "ml-1m/movies.dat",
                b"10::Am\xe9lie (Fabuleux destin d'Am\xe9lie Poulain, Le) (2001)::Comedy|Romance\n20::Toy Story (1995)::Animation|Children's|Comedy\n30::Untitled::Drama\n"
                    .to_vec(),
            ),
        ]
    }

    fn column(table: &Table, name: &str) -> Vec<String> {
        let c = table.column(name).unwrap();
        (0..table.rows()).map(|r| c.get(r).unwrap_or("").to_string()).collect()
    }

    #[test]
    fn one_million_is_joined_value_by_value() {
        let files = ml_1m();
        assert_eq!(Release::recognise(&files), Some(Release::OneMillion));
        let table = join(Release::OneMillion, &files).unwrap();
        assert_eq!(
            table.names(),
            ["user_id", "movie_id", "rating", "timestamp", "liked", "gender", "age", "occupation", "zip_code", "title", "year", "genres"]
        );
        assert_eq!(column(&table, "user_id"), ["1", "1", "2", "2"]);
        assert_eq!(column(&table, "liked"), ["1", "0", "1", "0"]);
        assert_eq!(column(&table, "gender"), ["F", "F", "M", "M"]);
        assert_eq!(column(&table, "age"), ["1", "1", "56", "56"]);
        assert_eq!(column(&table, "occupation"), ["10", "10", "16", "16"]);
        assert_eq!(column(&table, "title")[0], "Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)");
        assert_eq!(column(&table, "year"), ["2001", "1995", "2001", ""]);
        assert_eq!(column(&table, "genres"), ["Comedy|Romance", "Animation|Children's|Comedy", "Comedy|Romance", "Drama"]);
        assert_eq!(table.notes, ["MovieLens 1M: 4 ratings × 2 users × 3 movies, joined into one table (liked = rating ≥ 4)"]);
    }

    #[test]
    fn hundred_k_reads_tabs_pipes_and_genre_flags() {
        let flags = |on: &[usize]| (0..19).map(|g| if on.contains(&g) { "1" } else { "0" }).collect::<Vec<_>>().join("|");
        let items = format!(
            "1|Toy Story (1995)|01-Jan-1995||http://x|{}\n2|Cit\u{e9} des enfants perdus, La (1995)|01-Jan-1995||http://y|{}\n",
            flags(&[3, 4, 5]),
            flags(&[6, 16])
        );
        let items = latin1(&items);
        let files = vec![
            NamedBytes::new("ml-100k/u.data", b"196\t1\t3\t881250949\n22\t2\t5\t881250950\n".to_vec()),
            NamedBytes::new("ml-100k/u.user", b"196|49|M|writer|55105\n22|25|F|student|40206\n".to_vec()),
            NamedBytes::new("ml-100k/u.item", items),
        ];
        assert_eq!(Release::recognise(&files), Some(Release::HundredK));
        let table = join(Release::HundredK, &files).unwrap();
        assert_eq!(column(&table, "genres"), ["Animation|Children's|Comedy", "Crime|Thriller"]);
        assert_eq!(column(&table, "title")[1], "Cité des enfants perdus, La (1995)");
        assert_eq!(column(&table, "occupation"), ["writer", "student"]);
        assert_eq!(column(&table, "age"), ["49", "25"]);
        assert_eq!(column(&table, "liked"), ["0", "1"]);
    }

    /// Latin-1 bytes of a text whose characters are all below U+0100.
    fn latin1(text: &str) -> Vec<u8> {
        text.chars().map(|c| c as u32 as u8).collect()
    }

    #[test]
    fn latest_small_has_no_users_and_quoted_titles() {
        let files = vec![
            NamedBytes::new("ratings.csv", b"userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,3.5,964981247\n".to_vec()),
            NamedBytes::new("movies.csv", b"movieId,title,genres\n1,\"American President, The (1995)\",Comedy|Drama|Romance\n3,Grumpier Old Men (1995),(no genres listed)\n".to_vec()),
        ];
        let table = join(Release::recognise(&files).unwrap(), &files).unwrap();
        assert_eq!(table.names(), ["user_id", "movie_id", "rating", "timestamp", "liked", "title", "year", "genres"]);
        assert_eq!(column(&table, "title")[0], "American President, The (1995)");
        assert_eq!(column(&table, "genres"), ["Comedy|Drama|Romance", ""]);
        assert_eq!(column(&table, "liked"), ["1", "0"]);
    }

    #[test]
    fn a_bad_line_names_its_file_and_line() {
        let mut files = ml_1m();
        files[0] = NamedBytes::new("ratings.dat", b"1::10::5::978300760\n1::20\n".to_vec());
        let error = join(Release::OneMillion, &files).unwrap_err().to_string();
        assert_eq!(error, "ratings.dat, line 2: expected 4 fields separated by '::', found 2");
    }
}
