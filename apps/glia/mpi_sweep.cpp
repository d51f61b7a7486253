#include "apps/glia/mpi_sweep.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "engine/core/error.hpp"

#ifdef GLIA_WITH_MPI
#include <mpi.h>
#endif

namespace glia::cli {

namespace {

// The number of processes the launcher started — OpenMPI's mpirun, a PMI launcher, or a SLURM job step (srun)
// — read from the environment, 1 when none says.
int launched_processes() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS"})
    if (const char* v = std::getenv(name)) return std::max(1, std::atoi(v));
  return 1;
}

int processes_on_this_machine() {
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_STEP_TASKS_PER_NODE"})
    if (const char* v = std::getenv(name)) return std::max(1, std::atoi(v));
  return 1;
}

}  // namespace

#ifdef GLIA_WITH_MPI

bool mpi_built() { return true; }

MpiSweepSession::MpiSweepSession() {
  if (launched_processes() < 2) return;
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  initialized_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &sharing_.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &sharing_.size);
  if (sharing_.size != launched_processes())  // e.g. srun without an MPI plugin: N singletons, one file
    throw ConfigError("mpirun", std::to_string(launched_processes()) + " processes",
                      "but MPI joined " + std::to_string(sharing_.size) +
                          ": each would run the whole sweep into the same file (srun: --mpi=pmix)");
  local_size_ = processes_on_this_machine();
  // Messages: a length (uint64), then the bytes, split into pieces below INT_MAX.
  const auto send_bytes = [](const std::string& b, int to) {
    const std::uint64_t n = b.size();
    MPI_Send(&n, 1, MPI_UINT64_T, to, 1, MPI_COMM_WORLD);
    for (std::uint64_t at = 0; at < n; at += 1u << 30)
      MPI_Send(b.data() + at, static_cast<int>(std::min<std::uint64_t>(n - at, 1u << 30)), MPI_BYTE, to, 2,
               MPI_COMM_WORLD);
  };
  const auto receive_bytes = [](int from) {
    std::uint64_t n = 0;
    MPI_Recv(&n, 1, MPI_UINT64_T, from, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    std::string b(n, '\0');
    for (std::uint64_t at = 0; at < n; at += 1u << 30)
      MPI_Recv(b.data() + at, static_cast<int>(std::min<std::uint64_t>(n - at, 1u << 30)), MPI_BYTE, from, 2,
               MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    return b;
  };
  sharing_.send = send_bytes;
  sharing_.receive = receive_bytes;
  sharing_.broadcast = [this](const std::string& bytes) {
    std::uint64_t n = bytes.size();
    MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    std::string b = sharing_.rank == 0 ? bytes : std::string(n, '\0');
    for (std::uint64_t at = 0; at < n; at += 1u << 30)
      MPI_Bcast(b.data() + at, static_cast<int>(std::min<std::uint64_t>(n - at, 1u << 30)), MPI_BYTE, 0,
                MPI_COMM_WORLD);
    return b;
  };
}

MpiSweepSession::~MpiSweepSession() {
  if (initialized_) MPI_Finalize();
}

void MpiSweepSession::abort(int code) const {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

#else

bool mpi_built() { return false; }

MpiSweepSession::MpiSweepSession() {
  const int n = launched_processes();
  if (n > 1)
    throw ConfigError(
        "mpirun", "-np " + std::to_string(n),
        "this glia was built without MPI (install libopenmpi-dev and rebuild): each process would "
        "run the whole sweep into the same file");
}

MpiSweepSession::~MpiSweepSession() = default;

void MpiSweepSession::abort(int code) const { std::exit(code); }

#endif

}  // namespace glia::cli
