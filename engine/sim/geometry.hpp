#pragma once
// Positions of a group's elements in the plane and the spatial queries networks need:
// the nearest element of another group (tripartite assignment of synapses to astrocytes) and
// all pairs closer than a radius (astrocyte gap junctions). Queries use a uniform cell list,
// so they cost O(n) for roughly uniform layouts instead of O(n^2).
#include <cstdint>
#include <vector>

namespace glia::sim {

struct Positions {
  std::vector<double> x, y;  // m
  std::size_t size() const { return x.size(); }
};

// Element i at (x0 + floor(i / rows) * spacing, y0 + (i mod rows) * spacing): column-major rows.
Positions grid_positions(std::uint32_t n, std::uint32_t rows, double spacing, double x0, double y0);

// For each point of `from`, the index of the nearest point of `to` (Euclidean; ties go to the
// lowest index). `to` must not be empty.
std::vector<std::uint32_t> nearest_points(const Positions& from, const Positions& to);

// Pairs (i, j), i != j, at distance strictly less than `radius`, as CSR: the neighbours of i
// are neighbours[row_ptr[i] .. row_ptr[i + 1]), in increasing order.
void pairs_within(const Positions& p, double radius, std::vector<std::int64_t>& row_ptr,
                  std::vector<std::uint32_t>& neighbours);

}  // namespace glia::sim
