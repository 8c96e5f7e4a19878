// The classroom data sets: what to load, the core's named setup whose settings tell its story
// (the same as the CLI's `--setup NAME`), and a few plain sentences to read out.

export const PRESETS = {
  seed: {
    title: 'The seed study (drop a MovieLens archive)',
    load: { drop: true, setup: 'seed' },
    story: [
      'The Wide & Deep study this project grew from: does a user like a movie (a rating of 4 or 5)? Drop ml-1m.zip or ml-100k.zip here, as GroupLens publishes it (or its files together); it is read and joined in your browser.',
      'Wide: the genres, the gender, the age group and a gender × age cross, one weight each. Deep: the genres and 8-number embeddings of gender, age and occupation, through layers of 64, 32 and 16. AdaGrad, batches of 200, a 70/30 split.',
      'The rating itself is left out: liked is made from it, so it would give the answer away. The study reached an AUC of about 0.64; its features say little about taste. Then try user and movie ids (the ids setup) and watch what memorizing a person does.',
    ],
  },
  ids: {
    title: 'MovieLens with user and movie ids (drop a MovieLens archive)',
    load: { drop: true, setup: 'ids' },
    story: [
      'The seed study\'s columns, plus who rated and what was rated: user and movie ids in both parts, and a user × genre cross that remembers each person\'s taste in each genre.',
      'Drop ml-1m.zip or ml-100k.zip here. On MovieLens 100K this beats the seed study clearly (AUC about 0.78 against 0.66): memorizing people is most of the signal.',
    ],
  },
  adult: {
    title: 'Adult census income (48,842 people)',
    load: { url: 'data/adult.csv', name: 'adult.csv' },
    setup: 'adult',
    story: [
      'Predict whether a person earns more than $50K a year from census answers.',
      'The wide part memorizes combinations it has seen, like "Doctorate × Prof-specialty", one weight per crossed value.',
      'The deep part learns an embedding per value, so similar jobs and degrees end up close and share what they learn.',
      'Watch: deep and joint pull ahead of wide early; joint is usually best by a small margin.',
    ],
  },
  movielens: {
    title: 'Movie ratings (synthetic, MovieLens-shaped)',
    load: { preset: 'movielens', name: 'movielens-synthetic.csv' },
    setup: 'movielens',
    story: [
      'Predict whether a user likes a movie (rating 4 or 5), as in the Wide & Deep seed project; the data is generated here, not real MovieLens.',
      'Wide: one weight per genre, gender and age group, plus gender × age crosses. Deep: embeddings of genres, gender, age and occupation.',
      'Try it: switch user_id and movie_id from "ignore" to "both" and add a user_id × genres cross. Ids carry most of the signal.',
      'The rating column is left out on purpose: liked is rating ≥ 4, so the rating gives the answer away (the table says so). Switch it on and watch the AUC jump to a meaningless 1.000.',
    ],
  },
  prices: {
    title: 'Home prices: predict a number (generated)',
    load: { preset: 'prices', name: 'home-prices.csv' },
    setup: 'prices',
    story: [
      'Predict a home\'s price (in thousands) from its neighbourhood, its kind, its area and its rooms: a number, not a yes/no, so the models are judged by R² and by their error in thousands.',
      'Area and rooms add to the price in a straight line, which the deep part\'s numbers fit. But a few neighbourhood × kind pairs carry a premium or a discount of their own: only the wide cross memorizes those, the 2-number embeddings smooth them away.',
      'Watch: joint gets closest (its error near the 25 thousand of noise no model can predict). Then switch the neighbourhood × kind cross off and race again.',
    ],
  },
  readers: {
    title: 'Which genre will a reader pick? Four classes (generated)',
    load: { preset: 'readers', name: 'readers.csv' },
    setup: 'readers',
    story: [
      'Predict which of four genres a reader picks (mystery, romance, science or travel) from their town, the shelf they browse and the hours they read: one of several classes, so the models give a probability for each and are judged by accuracy and the macro AUC.',
      'Mystery or romance follows whether a town\'s taste and a shelf\'s style agree, over 1,200 town × shelf pairs seen a few times each: small embeddings learn that rule from all pairs at once, the cross alone cannot. Science follows the hours, a number the deep part reads. Travel sits at ten town × shelf pairs that the wide cross memorizes.',
      'Watch: joint comes closest to the best any model could do; wide alone falls behind. The confusion matrix under the results shows which genres each model mixes up.',
    ],
  },
  stars: {
    title: 'Predict the stars (synthetic MovieLens-shaped ratings)',
    load: { preset: 'movielens', name: 'movielens-synthetic.csv' },
    setup: 'stars',
    story: [
      'The classic recommender question as a number: how many stars (1 to 5) will a user give a movie? The ratings are generated here in MovieLens\'s shape.',
      'The ids setup\'s columns: user and movie ids in both parts, genres, gender, age and occupation, with a user × genres cross that remembers each person\'s taste in each genre. liked is left out: it is made from the rating.',
      'The results table ranks by R² and gives the error in stars (RMSE, MAE).',
    ],
  },
  memorize: {
    title: 'Memorize vs generalize (generated)',
    load: { preset: 'memorize', name: 'memorize-vs-generalize.csv' },
    setup: 'memorize',
    story: [
      'Whether a product sells in a city follows a smooth rule (taste meets style) that small embeddings learn from all pairs at once.',
      'But 24 city × product pairs, a tenth of the sales, break the rule. Only the wide cross can memorize those exceptions; the deep part smooths them away.',
      'Watch: joint beats both parts. Then switch the city × product cross off and race again: wide and joint lose the exceptions.',
    ],
  },
};
