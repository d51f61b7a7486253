#include "engine/sim/geometry.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace glia::sim {

namespace {

// Points binned into square cells of side `cell` over their bounding box.
class CellList {
 public:
  CellList(const Positions& p, double cell) : p_(p) {
    x0_ = *std::min_element(p.x.begin(), p.x.end());
    y0_ = *std::min_element(p.y.begin(), p.y.end());
    const double w = *std::max_element(p.x.begin(), p.x.end()) - x0_;
    const double h = *std::max_element(p.y.begin(), p.y.end()) - y0_;
    // Bound the cell count by the point count: a tiny radius must not allocate a huge grid.
    const double limit = std::sqrt(static_cast<double>(p.size())) + 1.0;
    cell_ = std::max({cell, w / limit, h / limit, 1e-300});
    nx_ = static_cast<std::int64_t>(w / cell_) + 1;
    ny_ = static_cast<std::int64_t>(h / cell_) + 1;
    start_.assign(static_cast<std::size_t>(nx_ * ny_ + 1), 0);
    for (std::size_t i = 0; i < p.size(); ++i) ++start_[static_cast<std::size_t>(cell_of(i)) + 1];
    for (std::size_t c = 0; c + 1 < start_.size(); ++c) start_[c + 1] += start_[c];
    items_.resize(p.size());
    std::vector<std::int64_t> fill(start_.begin(), start_.end() - 1);
    for (std::size_t i = 0; i < p.size(); ++i)
      items_[static_cast<std::size_t>(fill[static_cast<std::size_t>(cell_of(i))]++)] =
          static_cast<std::uint32_t>(i);
  }
  std::int64_t cx(double x) const {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((x - x0_) / cell_)), 0, nx_ - 1);
  }
  std::int64_t cy(double y) const {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor((y - y0_) / cell_)), 0, ny_ - 1);
  }
  // Calls f(j) for every point in cell (i, k), if that cell exists.
  template <class F>
  void visit(std::int64_t i, std::int64_t k, F&& f) const {
    if (i < 0 || k < 0 || i >= nx_ || k >= ny_) return;
    const auto c = static_cast<std::size_t>(i * ny_ + k);
    for (auto q = start_[c]; q < start_[c + 1]; ++q) f(items_[static_cast<std::size_t>(q)]);
  }
  double cell() const { return cell_; }
  std::int64_t nx() const { return nx_; }
  std::int64_t ny() const { return ny_; }
  double x0() const { return x0_; }
  double y0() const { return y0_; }

 private:
  std::int64_t cell_of(std::size_t i) const { return cx(p_.x[i]) * ny_ + cy(p_.y[i]); }
  const Positions& p_;
  double x0_ = 0, y0_ = 0, cell_ = 1;
  std::int64_t nx_ = 1, ny_ = 1;
  std::vector<std::int64_t> start_;
  std::vector<std::uint32_t> items_;
};

}  // namespace

Positions grid_positions(std::uint32_t n, std::uint32_t rows, double spacing, double x0, double y0) {
  Positions p;
  p.x.resize(n);
  p.y.resize(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    p.x[i] = x0 + static_cast<double>(i / rows) * spacing;
    p.y[i] = y0 + static_cast<double>(i % rows) * spacing;
  }
  return p;
}

std::vector<std::uint32_t> nearest_points(const Positions& from, const Positions& to) {
  const double area_side = std::sqrt(static_cast<double>(to.size()));
  const double w = *std::max_element(to.x.begin(), to.x.end()) - *std::min_element(to.x.begin(), to.x.end());
  const double h = *std::max_element(to.y.begin(), to.y.end()) - *std::min_element(to.y.begin(), to.y.end());
  const CellList cells(to, std::max(w, h) / area_side);
  std::vector<std::uint32_t> out(from.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t q = 0; q < static_cast<std::int64_t>(from.size()); ++q) {
    const double x = from.x[static_cast<std::size_t>(q)], y = from.y[static_cast<std::size_t>(q)];
    const std::int64_t ci = cells.cx(x), ck = cells.cy(y);
    double best = std::numeric_limits<double>::infinity();
    std::uint32_t best_j = 0;
    // Rings of cells around the query's cell; stop once a ring cannot hold anything closer.
    for (std::int64_t ring = 0;; ++ring) {
      auto consider = [&](std::uint32_t j) {
        const double dx = to.x[j] - x, dy = to.y[j] - y, d = dx * dx + dy * dy;
        if (d < best || (d == best && j < best_j)) {
          best = d;
          best_j = j;
        }
      };
      for (std::int64_t i = ci - ring; i <= ci + ring; ++i) {
        cells.visit(i, ck - ring, consider);
        if (ring > 0) cells.visit(i, ck + ring, consider);
      }
      for (std::int64_t k = ck - ring + 1; k <= ck + ring - 1; ++k) {
        cells.visit(ci - ring, k, consider);
        cells.visit(ci + ring, k, consider);
      }
      // Points outside the rings searched so far are at least `ring` cells away from the
      // query's cell, i.e. farther than ring * cell from the query (query may sit anywhere in
      // its cell; a query outside the grid is clamped onto it, so add its distance to the grid).
      const double gx =
          std::max({0.0, cells.x0() - x, x - (cells.x0() + static_cast<double>(cells.nx()) * cells.cell())});
      const double gy =
          std::max({0.0, cells.y0() - y, y - (cells.y0() + static_cast<double>(cells.ny()) * cells.cell())});
      const double reach = static_cast<double>(ring) * cells.cell() - std::hypot(gx, gy);
      const bool covered = ring >= std::max(cells.nx(), cells.ny());
      if (covered || (best < std::numeric_limits<double>::infinity() && reach > 0.0 && reach * reach > best))
        break;
    }
    out[static_cast<std::size_t>(q)] = best_j;
  }
  return out;
}

void pairs_within(const Positions& p, double radius, std::vector<std::int64_t>& row_ptr,
                  std::vector<std::uint32_t>& neighbours) {
  row_ptr.assign(1, 0);
  neighbours.clear();
  if (p.size() == 0) return;
  const CellList cells(p, radius);
  const double r2 = radius * radius;
  std::vector<std::uint32_t> found;
  for (std::size_t i = 0; i < p.size(); ++i) {
    found.clear();
    const std::int64_t ci = cells.cx(p.x[i]), ck = cells.cy(p.y[i]);
    const auto span = static_cast<std::int64_t>(std::ceil(radius / cells.cell()));
    for (std::int64_t a = ci - span; a <= ci + span; ++a)
      for (std::int64_t b = ck - span; b <= ck + span; ++b)
        cells.visit(a, b, [&](std::uint32_t j) {
          const double dx = p.x[j] - p.x[i], dy = p.y[j] - p.y[i];
          if (j != i && dx * dx + dy * dy < r2) found.push_back(j);
        });
    std::sort(found.begin(), found.end());
    neighbours.insert(neighbours.end(), found.begin(), found.end());
    row_ptr.push_back(static_cast<std::int64_t>(neighbours.size()));
  }
}

}  // namespace glia::sim
