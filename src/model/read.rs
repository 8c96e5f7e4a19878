//! Every tensor read in the crate goes through here, and every read is async: on WebGPU a
//! synchronous read panics, natively the caller blocks on the future.

use burn::tensor::{Tensor, TensorData, Transaction};

use crate::{Error, Result};

/// Reads several 1-d float tensors in one transaction (one GPU round trip).
pub async fn floats_many(tensors: Vec<Tensor<1>>) -> Result<Vec<Vec<f32>>> {
    let transaction = tensors.into_iter().fold(Transaction::default(), Transaction::register);
    let data = transaction.execute_async().await.map_err(|e| Error::Backend(format!("reading results failed: {e:?}")))?;
    data.into_iter().map(to_f32).collect()
}

/// Reads one 1-d float tensor.
pub async fn floats(tensor: Tensor<1>) -> Result<Vec<f32>> {
    let mut all = floats_many(vec![tensor]).await?;
    Ok(all.pop().expect("one tensor in, one out"))
}

fn to_f32(data: TensorData) -> Result<Vec<f32>> {
    Ok(data.iter::<f32>().collect())
}
