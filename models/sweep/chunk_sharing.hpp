#pragma once
// Sharing a sweep's chunks among processes (MPI ranks; apps/glia/mpi_sweep.cpp supplies the transport):
// process r of n computes chunks r, r + n, r + 2n, … of the to-do list. Process 0 alone opens the file: it
// agrees the to-do list and the sweep's definition with the others, receives their chunks' results and writes
// every chunk in order, so that the file is the one a single process writes (bit for bit) and stays resumable
// if a process is killed. Nothing here depends on MPI.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/sweep/sweep_file.hpp"

namespace glia::sweep {

struct ChunkSharing {
  int rank = 0, size = 1;
  std::function<std::string(const std::string& bytes)> broadcast;  // process 0's bytes, on every process
  std::function<void(const std::string& bytes, int to)> send;
  std::function<std::string(int from)> receive;
};

// A chunk's results (and the trace slots' rows) as bytes, and back.
std::string chunk_to_bytes(const ChunkResults& r, const std::vector<std::int64_t>& slot_row);
ChunkResults chunk_from_bytes(const std::string& bytes, std::vector<std::int64_t>& slot_row);

// The to-do list as bytes, and back.
std::string variants_to_bytes(const std::vector<std::uint64_t>& v);
std::vector<std::uint64_t> variants_from_bytes(const std::string& bytes);

}  // namespace glia::sweep
