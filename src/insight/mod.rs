//! What each part learns, as data for the pictures: the wide part's weights by name, a cross map
//! of two columns (where the deep part smooths exceptions away), the deep part's embeddings
//! projected to a plane, the model as a diagram, and what a lesson may say of each. Plain Rust over plain numbers: the engine
//! reads the tensors, these functions make sense of them, and [`crate::plot`] draws them.

mod cross_map;
mod diagram;
mod projection;
mod shade;
mod story;
mod weights;

pub use cross_map::{Cell, CrossMap, MAX_VALUES, MIN_CELL_ROWS};
pub use diagram::{Diagram, DiagramInput, LogitSplit};
pub use projection::{EmbeddingMap, MapPoint, NEIGHBOURS, RATE_AXIS, nearest, project_2d, symmetric_eigen};
pub use shade::Shade;
pub use story::{
    CrossStory, EmbeddingStory, Exception, FOLLOWS_RATE, Shown, SplitStory, Told, cross_story, embedding_story, split_story, tell,
};
pub use weights::{WEIGHTS_SHOWN, WideWeight, top_wide_weights, wide_rows};
