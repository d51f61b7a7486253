#pragma once
// Training checkpoints in HDF5: the parameters, the AdamW state (m, v, t) and the position of the run
// (optimizer step, examples consumed, seed), with the run's config and glia's provenance. Written
// atomically (Hdf5Writer: temporary file renamed into place), so a checkpoint on disk is always complete.
// Values are stored as float64, which holds float32 exactly: a resumed run continues bit for bit.
//
//   /                attributes: format = "glia-checkpoint", step, examples_seen, train_seconds, adam_steps,
//   seed,
//                    config (JSON text), glia_version, git_commit, created, complete = 1
//   /parameters/NAME one dataset per parameter, in the model's order (attribute "order" on the group: names
//                    joined by '\n')
//   /adam_m/NAME, /adam_v/NAME   the optimizer's moments
#include <cstdint>
#include <string>

#include "engine/nn/optim/adamw.hpp"
#include "engine/nn/parameters.hpp"

namespace glia::nn {

struct CheckpointState {
  std::string config_json;  // the resolved run config
  std::uint64_t seed = 0;
  std::int64_t step = 0;           // optimizer steps done
  std::int64_t examples_seen = 0;  // training examples consumed (the data position)
  double train_seconds = 0.0;      // wall time of the training loop over every sitting (0 in older files)
};

template <class T>
void write_checkpoint(const std::string& path, const ParameterSet<T>& params, AdamW<T>& optimizer,
                      const CheckpointState& state);

// Reads the position and config only. ConfigError(field, path, …) naming the cause: no such file, not
// HDF5, not a glia checkpoint, incomplete.
CheckpointState read_checkpoint_state(const std::string& path, const std::string& field = "checkpoint");

// Loads parameters (and, unless null, the optimizer state) into a model built from the checkpoint's config.
// A parameter the model lacks or has with another shape, or one the checkpoint lacks, is a ConfigError
// naming it ("a checkpoint from a different model").
template <class T>
CheckpointState read_checkpoint(const std::string& path, ParameterSet<T>& params, AdamW<T>* optimizer,
                                const std::string& field = "checkpoint");

}  // namespace glia::nn
