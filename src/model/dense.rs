//! The matrix product of the deep part's dense layers, with the kernel chosen for their shapes.
//!
//! Burn's GPU matmul picks a tiled, cooperative kernel built for large matrices. The MLP's
//! matrices are small (a batch of rows times a hundred or so columns), and on a software adapter
//! such as SwiftShader the tiled kernel's shared memory and barriers cost far more than the
//! arithmetic: the plain one-thread-per-output kernel trained Adult 3× faster there. So on the
//! GPU the dense layers use that kernel, in the forward and the backward pass alike; the CPU
//! keeps its own matmul.

use burn::backend::autodiff::NodeId;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, Flex, backend_extension};
use burn::nn::Linear;
use burn::tensor::Tensor;

/// `lhs · rhs` for the dense layers, dispatched to the kernel that suits each backend.
#[backend_extension(Flex, Cube: cfg(any(target_family = "wasm", feature = "wgpu")), Autodiff)]
pub trait DenseMatmul: Backend {
    /// The backend's own matrix product unless a backend knows better for small matrices.
    fn dense_matmul(lhs: FloatTensor<Self>, rhs: FloatTensor<Self>) -> FloatTensor<Self> {
        Self::float_matmul(lhs, rhs)
    }
}

impl DenseMatmul for Flex {}

#[cfg(any(target_family = "wasm", feature = "wgpu"))]
impl DenseMatmul for burn::backend::Cube {
    fn dense_matmul(lhs: FloatTensor<Self>, rhs: FloatTensor<Self>) -> FloatTensor<Self> {
        gpu::naive_matmul(lhs, rhs)
    }
}

impl<B: Backend + DenseMatmul, C: CheckpointStrategy> DenseMatmul for Autodiff<B, C> {
    fn dense_matmul(lhs: FloatTensor<Self>, rhs: FloatTensor<Self>) -> FloatTensor<Self> {
        let (lhs_tracked, rhs_tracked) = (lhs.is_tracked(), rhs.is_tracked());
        match DenseBackward.prepare::<C>([lhs.node(), rhs.node()]).compute_bound().stateful() {
            OpsKind::Tracked(mut prep) => {
                // Each side's gradient needs the other side's value.
                let state = (rhs_tracked.then(|| prep.checkpoint(&lhs)), lhs_tracked.then(|| prep.checkpoint(&rhs)));
                prep.finish(state, B::dense_matmul(lhs.into_primitive(), rhs.into_primitive()))
            }
            OpsKind::UnTracked(prep) => prep.finish(B::dense_matmul(lhs.into_primitive(), rhs.into_primitive())),
        }
    }
}

/// The backward pass of `lhs · rhs`: `∂lhs = grad · rhsᵀ`, `∂rhs = lhsᵀ · grad`, on the same kernel.
#[derive(Debug)]
struct DenseBackward;

impl<B: Backend + DenseMatmul> Backward<B, 2> for DenseBackward {
    type State = (Option<NodeId>, Option<NodeId>);

    fn backward(self, ops: Ops<Self::State, 2>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [lhs_parent, rhs_parent] = ops.parents;
        let (lhs, rhs) = ops.state;
        let grad = grads.consume::<B>(&ops.node);
        if let (Some(parent), Some(rhs)) = (lhs_parent, rhs) {
            let rhs: FloatTensor<B> = checkpointer.retrieve_node_output(rhs);
            grads.register::<B>(parent.id, B::dense_matmul(grad.clone(), B::float_transpose(rhs)));
        }
        if let (Some(parent), Some(lhs)) = (rhs_parent, lhs) {
            let lhs: FloatTensor<B> = checkpointer.retrieve_node_output(lhs);
            grads.register::<B>(parent.id, B::dense_matmul(B::float_transpose(lhs), grad));
        }
    }
}

/// A dense layer, `x · weight + bias`: what Burn's `Linear::forward` computes, with the product
/// on [`DenseMatmul`].
pub(super) fn forward(layer: &Linear, x: Tensor<2>) -> Tensor<2> {
    let y = dense_matmul(x, layer.weight.val());
    match &layer.bias {
        Some(bias) => y + bias.val().unsqueeze_dim(0),
        None => y,
    }
}

/// `x · weight` through [`DenseMatmul`], on whichever device the tensors live: the product every
/// dense layer uses, in training and in scoring (and what the benchmarks time).
pub fn dense_matmul(x: Tensor<2>, weight: Tensor<2>) -> Tensor<2> {
    Tensor::from_dispatch(<burn::backend::Dispatch as DenseMatmul>::dense_matmul(x.into_dispatch(), weight.into_dispatch()))
}

#[cfg(any(target_family = "wasm", feature = "wgpu"))]
mod gpu {
    use burn::backend::ops::FloatTensorOps;
    use burn::backend::wgpu::CubeTensor;
    use burn::backend::{Cube, DType};
    use burn_cubecl::cubecl::ir::{ElemType, FloatKind};
    use burn_cubecl::kernel::matmul::init_matmul_output;
    use cubek::matmul::definition::{MatmulElems, MatmulGlobalElems};
    use cubek::matmul::strategy::Strategy;
    use cubek::std::InputBinding;

    /// One thread per output element, no shared memory, for f32; Burn's default kernel for
    /// anything else, or where the plain kernel declines the layout.
    pub(super) fn naive_matmul(lhs: CubeTensor, rhs: CubeTensor) -> CubeTensor {
        if lhs.dtype != DType::F32 || rhs.dtype != DType::F32 {
            return Cube::float_matmul(lhs, rhs);
        }
        let out = init_matmul_output(&lhs, &rhs, DType::F32);
        let f32 = ElemType::Float(FloatKind::F32);
        let mut dtypes = MatmulElems::from_globals(&MatmulGlobalElems { lhs: f32, rhs: f32, out: f32 });
        let strategy = Strategy::MultiLevel(cubek::matmul::multi_level::Strategy::Naive);
        let launched = cubek::matmul::launch::launch_ref(
            &strategy,
            &out.client,
            InputBinding::new(lhs.clone().binding(), f32),
            InputBinding::new(rhs.clone().binding(), f32),
            out.clone().binding(),
            &mut dtypes,
        );
        match launched {
            Ok(()) => out,
            Err(_) => Cube::float_matmul(lhs, rhs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    fn matrix(values: &[f32], rows: usize, cols: usize, device: &Device) -> Tensor<2> {
        Tensor::from_data(TensorData::new(values.to_vec(), [rows, cols]), device).require_grad()
    }

    /// The hand-written backward pass gives the gradients of Burn's own matmul.
    #[test]
    fn values_and_gradients_match_burns_matmul() {
        let device = Device::flex().autodiff();
        let x: Vec<f32> = (0..12).map(|i| (i as f32 * 0.37).sin()).collect();
        let w: Vec<f32> = (0..8).map(|i| (i as f32 * 0.61).cos()).collect();
        let run = |ours: bool| {
            let (x, w) = (matrix(&x, 3, 4, &device), matrix(&w, 4, 2, &device));
            let y = if ours { dense_matmul(x.clone(), w.clone()) } else { x.clone().matmul(w.clone()) };
            let grads = (y.clone() * y.clone()).sum().backward();
            let values = |t: Tensor<2>| t.into_data().try_to_vec::<f32>().unwrap();
            (values(y), values(x.grad(&grads).unwrap()), values(w.grad(&grads).unwrap()))
        };
        let (ours, burns) = (run(true), run(false));
        for (a, b) in [(ours.0, burns.0), (ours.1, burns.1), (ours.2, burns.2)] {
            assert_eq!(a.len(), b.len());
            assert!(a.iter().zip(&b).all(|(a, b)| (a - b).abs() < 1e-5), "{a:?} vs {b:?}");
        }
    }
}
