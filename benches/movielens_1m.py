"""Writes a MovieLens 1M-shaped archive for the load-and-join figures (the real one cannot be
fetched here, and MovieLens is never committed): ml-1m/ratings.dat, users.dat and movies.dat in
the published format (`::`-separated, Latin-1 titles, `|` genre lists), 1,000,209 ratings of
3,883 movies by 6,040 users, zipped with Python's own zip writer.

    python3 benches/movielens_1m.py OUT.zip
"""

import io
import random
import sys
import zipfile

USERS, MOVIES, RATINGS = 6040, 3883, 1_000_209
GENRES = ["Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
          "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"]


def main():
    rng = random.Random(1)
    users = "".join(f"{u}::{rng.choice('FM')}::{rng.choice([1, 18, 25, 35, 45, 50, 56])}::{rng.randrange(21)}::{rng.randrange(10000, 99999)}\n"
                    for u in range(1, USERS + 1))
    movies = io.BytesIO()
    for m in range(1, MOVIES + 1):
        title = f"Am\xe9lie {m} ({rng.randrange(1919, 2001)})" if m % 7 == 0 else f"Film {m} ({rng.randrange(1919, 2001)})"
        genres = "|".join(rng.sample(GENRES, rng.randint(1, 3)))
        movies.write(f"{m}::{title}::{genres}\n".encode("latin-1"))
    ratings = "".join(f"{rng.randint(1, USERS)}::{int(rng.paretovariate(1.2)) % MOVIES + 1}::{rng.randint(1, 5)}::{956703932 + i}\n"
                      for i in range(RATINGS))
    with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("ml-1m/users.dat", users)
        z.writestr("ml-1m/movies.dat", movies.getvalue())
        z.writestr("ml-1m/ratings.dat", ratings)


if __name__ == "__main__":
    main()
