// The three classroom data sets: what to load, the settings that tell its story, and a few
// plain sentences to read out.

export const PRESETS = {
  adult: {
    title: 'Adult census income (48,842 people)',
    load: { url: 'data/adult.csv', name: 'adult.csv' },
    settings: {
      label: 'income', positive: '>50K', roles: { fnlwgt: 'ignore' },
      crosses: [['education', 'occupation'], ['native-country', 'occupation'], ['gender', 'age']],
    },
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
    settings: {
      label: 'liked', roles: { rating: 'ignore', timestamp: 'ignore', zip_code: 'ignore', user_id: 'ignore', movie_id: 'ignore', occupation: 'deep' },
      crosses: [['gender', 'age']], optimizer: 'adagrad', lr: '0.01', batch: 200, embedding: '8', epochs: 5,
    },
    story: [
      'Predict whether a user likes a movie (rating 4 or 5), as in the Wide & Deep seed project; the data is generated here, not real MovieLens.',
      'Wide: one weight per genre, gender and age group, plus gender × age crosses. Deep: embeddings of genres, gender, age and occupation.',
      'Try it: switch user_id and movie_id from "ignore" to "both" and add a user_id × genres cross. Ids carry most of the signal.',
    ],
  },
  memorize: {
    title: 'Memorize vs generalize (generated)',
    load: { preset: 'memorize', name: 'memorize-vs-generalize.csv' },
    settings: { label: 'bought', roles: { price: 'ignore' }, crosses: [['city', 'product']], epochs: 8, lr: '0.01', embedding: '4', hidden: '16,8' },
    story: [
      'Whether a product sells in a city follows a smooth rule (taste meets style) that small embeddings learn from all pairs at once.',
      'But 24 popular city × product pairs break the rule. Only the wide cross can memorize those exceptions.',
      'Watch: joint beats both parts. Then switch the city × product cross off and race again: wide and joint lose the exceptions.',
    ],
  },
};
