#pragma once
// The passes' contexts of SequenceClassifier, shared by its two source files (sequence_classifier.cpp:
// whole-sequence and segment models; fam_blocks.cpp: fam). Private to those files.
#include <cstdint>
#include <vector>

#include "engine/nn/ops/cross_entropy.hpp"
#include "engine/nn/ops/embedding.hpp"
#include "engine/nn/ops/gelu.hpp"
#include "engine/nn/ops/mean_pooling.hpp"
#include "engine/nn/ops/positions.hpp"
#include "models/nets/sequence_classifier.hpp"

namespace glia::nets {

// Dropout sites of one segment (or fam block): 0 the input rows, 1 + 2l and 2 + 2l layer l's attention and
// FFN outputs; the key's site is segment · sites_per_segment + site.
constexpr std::uint32_t sites_per_segment = 256;

// The batch padded to config.padded_length(), cut into the rows each pass of the blocks sees.
template <class T>
struct SequenceClassifier<T>::Input {
  Index batch = 0, segments = 1;
  std::vector<nn::Tensor<std::int32_t>> ids;  // per segment: (B, S), or one (B, max_length)
  std::vector<nn::KeyMask> key_mask;          // per segment: (B, rows), memory rows real
  nn::KeyMask pool_mask;                      // (B, rows) of the readout pass
  nn::Tensor<std::int32_t> labels;
};

template <class T>
struct SequenceClassifier<T>::SegmentContext {
  Index segment = 0;
  nn::EmbeddingContext<T> embedding;
  nn::Tensor<T> input;  // [memory ; embedded tokens], before positions
  nn::LearnedPositionsContext<T> positions;
  nn::DropoutContext<T> drop;
  std::vector<BlockContext<T>> blocks;
  const nn::Tensor<T>& out() const { return blocks.back().out; }
};

template <class T>
struct SequenceClassifier<T>::PoolContext {
  nn::LayerNormContext<T> norm;  // pre-norm only
  nn::MeanPoolingContext<T> pool;
};

template <class T>
struct SequenceClassifier<T>::ReadoutContext {
  PoolContext pool;
  nn::LinearContext<T> head;
  nn::CrossEntropyContext<T> loss;
};

template <class T>
struct SequenceClassifier<T>::PairContext {
  PoolContext a, b;         // u and v: the two towers' pooled outputs
  nn::LinearContext<T> in;  // on [u, v, u∘v, u − v]
  nn::GeluContext<T> gelu;
  nn::LinearContext<T> out;  // the head
  nn::CrossEntropyContext<T> loss;
};

template <class T>
struct SequenceClassifier<T>::FamBlock {
  Index block = 0, begin = 0, rows = 0;  // block τ holds the tokens [begin, begin + rows)
  nn::EmbeddingContext<T> embedding;
  nn::LearnedPositionsContext<T> positions;  // the table's rows [begin, begin + rows)
  nn::DropoutContext<T> drop;
  std::vector<BlockContext<T>> layers;  // each layer's rows [FAM ; block]
};

// What the backward pass of one encoder pass needs.
template <class T>
struct SequenceClassifier<T>::Encoding {
  // Whole-input and segment models.
  std::vector<nn::Tensor<T>> memories;  // mem_1 … mem_T (AMRB's replay buffer; BPTT keeps them too)
  std::vector<SegmentContext> kept;     // BPTT: every segment from `first`; AMRB: the last one only
  Index first = 0;                      // oldest segment with a backward (truncation)
  // fam.
  FamKeys keys;                                    // every block's token keys and values, per layer
  std::vector<std::vector<nn::Tensor<T>>> fam_in;  // AMRB: the FAM entering each block, per layer
  std::vector<FamBlock> fam_blocks;                // BPTT: every block's activations
  std::vector<nn::Tensor<T>> fam;                  // the FAM after the last block, per layer
  nn::Tensor<T> z;  // token read-out: the last layer's token rows of every block
};

}  // namespace glia::nets
