#pragma once
// `mpirun -np N glia sweep …`: MPI for the sweep command only (the library and the Python module do not use
// it). Launched by mpirun with more than one process, the session initialises MPI and lends run_sweep the
// chunk exchange (models/sweep/chunk_sharing.hpp); launched alone it is inactive. A glia built without MPI
// refuses to run as several processes (each would run the whole sweep into the same file).
#include <memory>

#include "models/sweep/chunk_sharing.hpp"

namespace glia::cli {

// Whether this glia was built with MPI.
bool mpi_built();

class MpiSweepSession {
 public:
  MpiSweepSession();
  ~MpiSweepSession();
  MpiSweepSession(const MpiSweepSession&) = delete;
  MpiSweepSession& operator=(const MpiSweepSession&) = delete;

  bool active() const { return sharing_.size > 1; }
  int rank() const { return sharing_.rank; }
  // Processes of this job on this machine (threads default to the cores divided among them).
  int local_size() const { return local_size_; }
  const sweep::ChunkSharing* sharing() const { return active() ? &sharing_ : nullptr; }
  // Ends every process of the job with `code` (after an error on any one of them).
  [[noreturn]] void abort(int code) const;

 private:
  sweep::ChunkSharing sharing_;
  int local_size_ = 1;
  bool initialized_ = false;
};

}  // namespace glia::cli
