// CUDA backend of the network step: the state of every group and projection lives on the device;
// each kernel applies the same per-element update as the CPU loop in models/network/network_step.cpp.
// A batch of V variants (network.hpp) is one launch per update: element e is element e / V of variant
// e % V, whose parameters the kernels read from per-variant arrays uploaded once.
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "cuda/check.cuh"
#include "models/bio/lif.hpp"
#include "models/network/network_device.hpp"
#include "models/network/network_kernels.hpp"

namespace glia::network {

namespace {

constexpr int kThreads = 128;

unsigned blocks_for(std::int64_t n) { return static_cast<unsigned>((n + kThreads - 1) / kThreads); }

template <class T>
std::unique_ptr<cuda::DeviceBuffer<T>> mirror(const std::vector<T>& host) {
  auto d = std::make_unique<cuda::DeviceBuffer<T>>(host.size());
  d->upload(host.data());
  return d;
}

template <class T>
void copy_back(const std::unique_ptr<cuda::DeviceBuffer<T>>& d, std::vector<T>& host) {
  if (d && !host.empty()) d->download(host.data());
}

template <class T>
T* ptr(const std::unique_ptr<cuda::DeviceBuffer<T>>& d) {
  return d ? d->get() : nullptr;
}

__device__ bool finite(double v) { return v - v == 0.0; }

// What a synapse's update reads of its variant's configuration (one per variant).
struct SynapseVariant {
  double U_star, alpha, w, released_to_Y, Omega_c;
  double O_G, Omega_G;  // receptors
  double fold;          // e^{-Omega_c h} over the astrocytes' step h
};

// I_ext of element i's variant scaled by its factor now (one factor for all, or one per variant).
template <class P>
__device__ P lif_params(const P* pv, std::uint32_t V, const double* factor_v, double factor, std::int64_t i) {
  const std::uint32_t v = static_cast<std::uint32_t>(i % V);
  P p = pv[v];
  p.I_ext *= factor_v ? factor_v[v] : factor;
  return p;
}

__global__ void lif_coba_kernel(const bio::LifCobaParams* pv, std::uint32_t V, const double* factor_v,
                                double factor, bool euler, double t, double dt, std::int64_t n, double* v,
                                double* g_e, double* g_i, double* ref, const double* sic, char* flag,
                                unsigned long long* bad) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const bio::LifCobaParams p = lif_params(pv, V, factor_v, factor, i);
  const double I_add = sic ? sic[i] : 0.0;
  bio::LifState s{v[i], g_e[i], g_i[i], ref[i]};
  flag[i] = euler ? bio::lif_coba_euler_step(p, s, t, dt, I_add) : bio::lif_coba_step(p, s, t, dt, I_add);
  v[i] = s.v;
  g_e[i] = s.g_e;
  g_i[i] = s.g_i;
  ref[i] = s.refractory_until;
  if (!finite(s.v) || !finite(s.g_e) || !finite(s.g_i)) atomicMin(bad, static_cast<unsigned long long>(i));
}

__global__ void lif_cuba_kernel(const bio::LifCubaParams* pv, std::uint32_t V, const double* factor_v,
                                double factor, double t, double dt, std::int64_t n, double* v, double* i_syn,
                                double* ref, const double* sic, char* flag, unsigned long long* bad) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const bio::LifCubaParams p = lif_params(pv, V, factor_v, factor, i);
  bio::LifCubaState s{v[i], i_syn[i], ref[i]};
  flag[i] = bio::lif_cuba_step(p, s, t, dt, sic ? sic[i] : 0.0);
  v[i] = s.v;
  i_syn[i] = s.i_syn;
  ref[i] = s.refractory_until;
  if (!finite(s.v) || !finite(s.i_syn)) atomicMin(bad, static_cast<unsigned long long>(i));
}

struct DeliverArgs {
  const std::int64_t* row_ptr;  // n_blocks x stride
  std::int64_t stride;
  const std::uint32_t* post;
  const std::uint32_t* spikes;
  const double *ef, *ed, *ey;
  std::int64_t n_spikes;
  bool tm, glutamate, receptors;
  const SynapseVariant* var;  // per variant (a spike's variant: its element mod V)
  std::uint32_t V;
  double
      until_tick;  // s from now to the astrocytes' next tick: glutamate is weighted by its decay until then
  double *u, *x, *Y;
  const double* rho;  // calcium STDP: transmit w rho (or null)
  double* r_out;      // releases of the delivered synapses (or null)
  const std::int32_t* astro;
  const double* gamma;
  double* acc;  // n_blocks x n_astro, or null
  std::int64_t n_astro;
  double* target;  // or null
};

// One CUDA block per block of postsynaptic indices; spikes in order, the synapses of a spike's
// row across the threads. Each spike's adds finish before the next spike's begin, as on the CPU.
__global__ void deliver_kernel(DeliverArgs a) {
  const std::int64_t b = blockIdx.x;
  const std::int64_t* row = a.row_ptr + b * a.stride;
  double* acc = a.acc ? a.acc + b * a.n_astro : nullptr;
  for (std::int64_t s = 0; s < a.n_spikes; ++s) {
    const std::uint32_t i = a.spikes[s];
    const SynapseVariant& c = a.var[i % a.V];
    for (std::int64_t q = row[i] + threadIdx.x; q < row[i + 1]; q += blockDim.x) {
      if (!a.tm) {
        if (a.target) atomicAdd(a.target + a.post[q], a.rho ? c.w * a.rho[q] : c.w);
        continue;
      }
      const std::int32_t k = a.glutamate ? a.astro[q] : -1;
      const double U =
          k >= 0 && a.receptors ? modulated_release_probability(c.U_star, c.alpha, a.gamma[k]) : c.U_star;
      const double r = tm_release(a.u[q], a.x[q], a.ef[s], a.ed[s], U);
      if (a.r_out) a.r_out[q] = r;
      if (a.target) atomicAdd(a.target + a.post[q], c.w * r);
      if (a.glutamate) {
        a.Y[q] = a.Y[q] * a.ey[s] + c.released_to_Y * r;
        if (k >= 0 && acc) atomicAdd(acc + k, c.released_to_Y * r * exp(-c.Omega_c * a.until_tick));
      }
    }
    __syncthreads();
  }
}

__global__ void relax_kernel(std::int64_t n, double* gamma, const double* g_inf, const double* decay) {
  const std::int64_t a = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (a < n) gamma[a] = g_inf[a] + (gamma[a] - g_inf[a]) * decay[a];
}

// Y_in[a] (+)= Y_sum[a] e^{-Omega_c h} + sum over blocks of acc[b][a]; the blocks in order.
__global__ void fold_kernel(std::int64_t n, std::int64_t n_blocks, const SynapseVariant* var, std::uint32_t V,
                            double* acc, double* Y_sum, double* Y_in, bool first) {
  const std::int64_t a = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (a >= n) return;
  double sum = Y_sum[a] * var[a % V].fold;
  for (std::int64_t b = 0; b < n_blocks; ++b) {
    sum += acc[b * n + a];
    acc[b * n + a] = 0.0;
  }
  Y_sum[a] = sum;
  Y_in[a] = first ? sum : Y_in[a] + sum;
}

// The mean over the covered synapses, plus the group's constant glutamate (ambient: null when none).
__global__ void mean_input_kernel(std::int64_t n, const double* n_covered, const double* ambient,
                                  double* Y_in, bool any) {
  const std::int64_t a = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (a >= n) return;
  if (!any) Y_in[a] = 0.0;
  if (n_covered[a] > 0.0) Y_in[a] /= n_covered[a];
  if (ambient) Y_in[a] += ambient[a];
}

__global__ void receptor_kernel(std::int64_t n, const SynapseVariant* var, std::uint32_t V, double dt,
                                const double* G_A, double* g_inf, double* decay) {
  const std::int64_t a = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (a < n) receptor_relaxation(var[a % V].O_G, var[a % V].Omega_G, G_A[a], dt, g_inf[a], decay[a]);
}

__global__ void coupling_kernel(std::int64_t n, const bio::IP3CouplingParams* cv, std::uint32_t V,
                                const std::int64_t* row_ptr, const std::uint32_t* neighbours, const double* y,
                                double* J) {
  const std::int64_t a = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (a < n) J[a] = bio::ip3_coupling_flux(cv[a % V], row_ptr, neighbours, y, a);
}

// The noise of astrocyte i of variant v: its variant's seed (in its parameters) and its own index i.
__global__ void astrocyte_kernel(const AstrocyteStepParams* qv, std::uint32_t V, double t, double h,
                                 std::int64_t tick, std::int64_t n, const double* I_bias, const double* Y_in,
                                 const double* ambient, const double* J, double* y, double* x_A, double* G_A,
                                 char* flag, unsigned long long* bad) {
  const std::int64_t a = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (a >= n) return;
  const int f = astrocyte_step(qv[a % V], t, h, tick, static_cast<std::uint32_t>(a / V), I_bias[a], Y_in[a],
                               ambient ? ambient[a] : 0.0, J[a], y + a * bio::kGChIVars, x_A[a], G_A[a]);
  flag[a] = (f & kAstrocyteReleased) != 0;
  if (f & kAstrocyteOutOfBounds) atomicMin(bad, static_cast<unsigned long long>(a));
}

// Astrocyte a is element a / V of variant a % V, with its variant's parameters.
__global__ void li_rinzel_kernel(const bio::LiRinzelParams* pv, std::uint32_t V, sim::FixedStepMethod method,
                                 double t, double h, std::int64_t n, double* ip3_in, double* y,
                                 unsigned long long* bad) {
  const std::int64_t a = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (a >= n) return;
  if (li_rinzel_step(pv[a % V], method, t, h, ip3_in[a], y + a * bio::kLiRinzelVars) != 0)
    atomicMin(bad, static_cast<unsigned long long>(a));
  ip3_in[a] = 0.0;
}

__global__ void stdp_kernel(bio::CalciumStdpParams p, double dt, std::uint64_t seed, std::uint32_t stream,
                            std::int64_t k, std::int64_t n, double* rho, double* c) {
  const std::int64_t q = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (q < n) stdp_synapse_step(p, dt, seed, stream, k, static_cast<std::uint32_t>(q), rho[q], c[q]);
}

// One CUDA block per spike: its synapses in every block of postsynaptic indices.
__global__ void stdp_pre_kernel(bio::CalciumStdpParams p, const std::int64_t* row_ptr, std::int64_t stride,
                                std::int64_t n_blocks, const std::uint32_t* spikes, double* c) {
  const std::uint32_t i = spikes[blockIdx.x];
  for (std::int64_t b = 0; b < n_blocks; ++b) {
    const std::int64_t* row = row_ptr + b * stride;
    for (std::int64_t q = row[i] + threadIdx.x; q < row[i + 1]; q += blockDim.x)
      bio::cstdp_pre_calcium(p, c[q]);
  }
}

// One CUDA block per postsynaptic spike.
__global__ void stdp_post_kernel(bio::CalciumStdpParams p, const std::int64_t* in_ptr,
                                 const std::int64_t* in_syn, const std::uint32_t* spikes, double* c) {
  const std::uint32_t j = spikes[blockIdx.x];
  for (std::int64_t e = in_ptr[j] + threadIdx.x; e < in_ptr[j + 1]; e += blockDim.x)
    bio::cstdp_post_calcium(p, c[in_syn[e]]);
}

__global__ void sic_kernel(bio::LiRinzelSicParams p, double w, const std::int64_t* in_ptr,
                           const std::int64_t* in_syn, const std::uint32_t* pre_of, const double* y,
                           std::int64_t n, double* I_sic, bool first) {
  const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n) return;
  const double v = sic_current(p, w, in_ptr, in_syn, pre_of, y, i);
  I_sic[i] = first ? v : I_sic[i] + v;
}

}  // namespace

struct NetworkDevice::Impl {
  struct Group {
    std::unique_ptr<cuda::DeviceBuffer<double>> v, g_e, g_i, i_syn, ref, y, x_A, G_A, Y_in, J, n_covered,
        ambient, I_bias, I_sic, ip3_in;
    std::unique_ptr<cuda::DeviceBuffer<std::int64_t>> row_ptr;
    std::unique_ptr<cuda::DeviceBuffer<std::uint32_t>> neighbours;
    std::unique_ptr<cuda::DeviceBuffer<char>> flag;
    // Per variant: LIF parameters, I_ext factors (when they differ), astrocyte step and coupling.
    std::unique_ptr<cuda::DeviceBuffer<bio::LifCobaParams>> coba_v;
    std::unique_ptr<cuda::DeviceBuffer<bio::LifCubaParams>> cuba_v;
    std::unique_ptr<cuda::DeviceBuffer<double>> factor_v;
    std::unique_ptr<cuda::DeviceBuffer<AstrocyteStepParams>> astro_v;
    std::unique_ptr<cuda::DeviceBuffer<bio::LiRinzelParams>> li_rinzel_v;
    std::unique_ptr<cuda::DeviceBuffer<bio::IP3CouplingParams>> coupling_v;
  };
  struct Projection {
    std::unique_ptr<cuda::DeviceBuffer<std::int64_t>> row_ptr;
    std::unique_ptr<cuda::DeviceBuffer<std::uint32_t>> post, spikes;
    std::unique_ptr<cuda::DeviceBuffer<double>> u, x, Y, acc, Y_sum, gamma, gamma_inf, gamma_decay, ef, ed,
        ey, rho, c, r_out;
    std::unique_ptr<cuda::DeviceBuffer<std::int32_t>> astro;
    std::unique_ptr<cuda::DeviceBuffer<std::int64_t>> in_ptr, in_syn;
    std::unique_ptr<cuda::DeviceBuffer<std::uint32_t>> pre_of, post_spikes;
    std::unique_ptr<cuda::DeviceBuffer<SynapseVariant>> var;  // per variant
    double* target = nullptr;
  };
  std::vector<const NetworkConfig*> variants;
  std::uint32_t V = 1;
  std::vector<GroupState>* host_groups = nullptr;
  std::vector<ProjectionState>* host_projections = nullptr;
  std::vector<Group> groups;
  std::vector<Projection> projections;
  std::uint64_t seed = 0;
  cuda::DeviceBuffer<unsigned long long> bad{1};
  double dt = 0.0;  // s, the base step

  std::int64_t reset_bad(std::int64_t n) {
    const auto v = static_cast<unsigned long long>(n);
    bad.upload(&v);
    return n;
  }
  std::int64_t read_bad() {
    unsigned long long v = 0;
    bad.download(&v);
    return static_cast<std::int64_t>(v);
  }
};

NetworkDevice::NetworkDevice(std::vector<GroupState>& groups, std::vector<ProjectionState>& projections,
                             const std::vector<const NetworkConfig*>& variants)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.host_groups = &groups;
  m.host_projections = &projections;
  m.variants = variants;
  m.V = static_cast<std::uint32_t>(variants.size());
  m.seed = variants.front()->seed;
  m.groups.resize(groups.size());
  for (std::size_t k = 0; k < groups.size(); ++k) {
    const GroupState& g = groups[k];
    Impl::Group& d = m.groups[k];
    d.v = mirror(g.v);
    d.g_e = mirror(g.g_e);
    d.g_i = mirror(g.g_i);
    d.i_syn = mirror(g.i_syn);
    d.ref = mirror(g.refractory_until);
    d.y = mirror(g.y);
    d.x_A = mirror(g.x_A);
    d.G_A = mirror(g.G_A);
    d.Y_in = mirror(g.Y_in);
    d.J = mirror(g.J);
    d.n_covered = mirror(g.n_covered);
    if (!g.glutamate.empty()) d.ambient = mirror(g.glutamate);
    d.I_bias = mirror(g.I_bias);
    d.I_sic = mirror(g.I_sic);
    d.ip3_in = mirror(g.ip3_in);
    d.row_ptr = mirror(g.row_ptr);
    d.neighbours = mirror(g.neighbours);
    d.flag = mirror(g.flag);
    m.dt = g.dt / static_cast<double>(g.cfg->every);  // the same base step for every group
    if (g.cfg->is_rate()) continue;                   // the rate system's
    // Each variant's parameters of this group (the astrocyte step's and the coupling's as the host built
    // them).
    std::vector<bio::LifCobaParams> coba;
    std::vector<bio::LifCubaParams> cuba;
    for (const NetworkConfig* c : variants) {
      coba.push_back(c->groups[k].coba);
      cuba.push_back(c->groups[k].cuba);
    }
    d.coba_v = mirror(coba);
    d.cuba_v = mirror(cuba);
    d.astro_v = mirror(g.astro_q);
    d.li_rinzel_v = mirror(g.li_rinzel_v);
    d.coupling_v = mirror(g.coupling_v);
    d.factor_v = std::make_unique<cuda::DeviceBuffer<double>>(m.V);
  }
  m.projections.resize(projections.size());
  for (std::size_t k = 0; k < projections.size(); ++k) {
    const ProjectionState& p = projections[k];
    Impl::Projection& d = m.projections[k];
    if (!p.cfg) continue;  // a continuous projection: the rate system's
    d.row_ptr = mirror(p.row_ptr);
    d.post = mirror(p.post);
    d.u = mirror(p.u);
    d.x = mirror(p.x);
    d.Y = mirror(p.Y);
    d.astro = mirror(p.astro);
    d.acc = mirror(p.acc);
    d.Y_sum = mirror(p.Y_sum);
    d.gamma = mirror(p.gamma);
    d.gamma_inf = mirror(p.gamma_inf);
    d.gamma_decay = mirror(p.gamma_decay);
    d.rho = mirror(p.rho);
    d.c = mirror(p.c);
    d.r_out = mirror(p.r_last);
    d.in_ptr = mirror(p.in_ptr);
    d.in_syn = mirror(p.in_syn);
    d.pre_of = mirror(p.pre_of);
    d.post_spikes = std::make_unique<cuda::DeviceBuffer<std::uint32_t>>(p.n_post);
    d.spikes = std::make_unique<cuda::DeviceBuffer<std::uint32_t>>(p.n_pre);
    d.ef = std::make_unique<cuda::DeviceBuffer<double>>(p.n_pre);
    d.ed = std::make_unique<cuda::DeviceBuffer<double>>(p.n_pre);
    d.ey = std::make_unique<cuda::DeviceBuffer<double>>(p.n_pre);
    // Each variant's synapse parameters, as the host step uses them (ProjectionState's per-variant vectors).
    std::vector<SynapseVariant> var;
    for (std::uint32_t v = 0; v < m.V; ++v) {
      const ProjectionConfig& pc = variants[v]->projections[k];
      SynapseVariant x{};
      x.U_star = p.U_v[v];
      x.alpha = p.alpha_v[v];
      x.w = p.w_v[v];
      x.released_to_Y = p.released_v[v];
      x.Omega_c = p.Omega_c_v[v];
      if (pc.has_astrocytes) {
        x.O_G = pc.astrocytes.receptors.O_G;
        x.Omega_G = pc.astrocytes.receptors.Omega_G;
        x.fold = p.fold_v[v];
      }
      var.push_back(x);
    }
    d.var = mirror(var);
    if (p.cfg->has_target) {
      const Impl::Group& t = m.groups[p.cfg->target];
      switch (p.cfg->receptor) {
        case Receptor::g_e:
          d.target = ptr(t.g_e);
          break;
        case Receptor::g_i:
          d.target = ptr(t.g_i);
          break;
        case Receptor::i_syn:
          d.target = ptr(t.i_syn);
          break;
        case Receptor::ip3:
          d.target = ptr(t.ip3_in);
          break;
        default:
          d.target = nullptr;
      }
    }
  }
}

NetworkDevice::~NetworkDevice() = default;

std::int64_t NetworkDevice::lif_step(GroupState& g, double t, const std::vector<double>& I_ext_factor) {
  Impl& m = *impl_;
  Impl::Group& d = m.groups[g.cfg->index];
  const auto n = static_cast<std::int64_t>(g.cfg->n) * m.V;
  m.reset_bad(n);
  // One factor for every variant (the usual case) goes as an argument; else one per variant is uploaded.
  const bool same = std::all_of(I_ext_factor.begin(), I_ext_factor.end(),
                                [&](double f) { return f == I_ext_factor.front(); });
  if (!same) d.factor_v->upload(I_ext_factor.data());
  const double* factor_v = same ? nullptr : d.factor_v->get();
  if (g.cfg->model == GroupModel::lif_coba) {
    lif_coba_kernel<<<blocks_for(n), kThreads>>>(
        ptr(d.coba_v), m.V, factor_v, I_ext_factor.front(), g.cfg->lif_method == LifMethod::euler, t, g.dt, n,
        ptr(d.v), ptr(d.g_e), ptr(d.g_i), ptr(d.ref), ptr(d.I_sic), ptr(d.flag), m.bad.get());
  } else {
    lif_cuba_kernel<<<blocks_for(n), kThreads>>>(ptr(d.cuba_v), m.V, factor_v, I_ext_factor.front(), t, g.dt,
                                                 n, ptr(d.v), ptr(d.i_syn), ptr(d.ref), ptr(d.I_sic),
                                                 ptr(d.flag), m.bad.get());
  }
  cuda::check(cudaGetLastError(), "lif kernel");
  d.flag->download(g.flag.data());
  return m.read_bad();
}

void NetworkDevice::deliver(ProjectionState& p, const std::vector<std::uint32_t>& spikes, double until_tick,
                            double* r_out) {
  Impl& m = *impl_;
  Impl::Projection& d = m.projections[p.cfg->index];
  const std::size_t n = spikes.size();
  cuda::check(cudaMemcpy(d.spikes->get(), spikes.data(), n * sizeof(std::uint32_t), cudaMemcpyHostToDevice),
              "upload spikes");
  cuda::check(cudaMemcpy(d.ef->get(), p.ef.data(), n * sizeof(double), cudaMemcpyHostToDevice), "upload ef");
  cuda::check(cudaMemcpy(d.ed->get(), p.ed.data(), n * sizeof(double), cudaMemcpyHostToDevice), "upload ed");
  cuda::check(cudaMemcpy(d.ey->get(), p.ey.data(), n * sizeof(double), cudaMemcpyHostToDevice), "upload ey");
  const ProjectionConfig& cfg = *p.cfg;
  DeliverArgs a{};
  a.row_ptr = ptr(d.row_ptr);
  a.stride = static_cast<std::int64_t>(p.n_pre) + 1;
  a.post = ptr(d.post);
  a.spikes = d.spikes->get();
  a.ef = d.ef->get();
  a.ed = d.ed->get();
  a.ey = d.ey->get();
  a.n_spikes = static_cast<std::int64_t>(n);
  a.tm = cfg.model == SynapseModel::tsodyks_markram;
  a.glutamate = cfg.has_astrocytes;
  a.receptors = p.receives_gliotransmitter;
  a.var = ptr(d.var);
  a.V = m.V;
  a.until_tick = until_tick;
  a.rho = cfg.model == SynapseModel::calcium_stdp ? ptr(d.rho) : nullptr;
  a.r_out = r_out ? ptr(d.r_out) : nullptr;
  a.u = ptr(d.u);
  a.x = ptr(d.x);
  a.Y = ptr(d.Y);
  a.astro = ptr(d.astro);
  a.gamma = ptr(d.gamma);
  a.acc = p.reads_glutamate ? ptr(d.acc) : nullptr;
  a.n_astro = p.n_astro;
  a.target = d.target;
  deliver_kernel<<<p.n_blocks, kThreads>>>(a);
  cuda::check(cudaGetLastError(), "deliver kernel");
  if (r_out) d.r_out->download(r_out);
}

void NetworkDevice::stdp_advance(ProjectionState& p, std::int64_t k) {
  Impl& m = *impl_;
  Impl::Projection& d = m.projections[p.cfg->index];
  stdp_kernel<<<blocks_for(p.n_syn), kThreads>>>(p.cfg->stdp, m.dt, m.seed, kStdpStream + p.cfg->index, k,
                                                 p.n_syn, ptr(d.rho), ptr(d.c));
  cuda::check(cudaGetLastError(), "stdp kernel");
  // A plastic weight that is no longer finite stops the run: the host checks its copy.
  d.rho->download(p.rho.data());
}

void NetworkDevice::stdp_calcium(ProjectionState& p, const std::vector<std::uint32_t>& pre,
                                 const std::vector<std::uint32_t>& post) {
  Impl::Projection& d = impl_->projections[p.cfg->index];
  if (!pre.empty()) {
    cuda::check(
        cudaMemcpy(d.spikes->get(), pre.data(), pre.size() * sizeof(std::uint32_t), cudaMemcpyHostToDevice),
        "upload presynaptic spikes");
    stdp_pre_kernel<<<static_cast<unsigned>(pre.size()), kThreads>>>(p.cfg->stdp, ptr(d.row_ptr),
                                                                     static_cast<std::int64_t>(p.n_pre) + 1,
                                                                     p.n_blocks, d.spikes->get(), ptr(d.c));
    cuda::check(cudaGetLastError(), "stdp pre kernel");
  }
  if (!post.empty()) {
    cuda::check(cudaMemcpy(d.post_spikes->get(), post.data(), post.size() * sizeof(std::uint32_t),
                           cudaMemcpyHostToDevice),
                "upload postsynaptic spikes");
    stdp_post_kernel<<<static_cast<unsigned>(post.size()), kThreads>>>(
        p.cfg->stdp, ptr(d.in_ptr), ptr(d.in_syn), d.post_spikes->get(), ptr(d.c));
    cuda::check(cudaGetLastError(), "stdp post kernel");
  }
}

void NetworkDevice::update_sic(GroupState& neurons) {
  Impl& m = *impl_;
  Impl::Group& dn = m.groups[neurons.cfg->index];
  const auto n = static_cast<std::int64_t>(neurons.cfg->n);
  bool first = true;
  for (std::uint32_t pi : neurons.sic_from) {
    const ProjectionState& p = (*m.host_projections)[pi];
    Impl::Projection& d = m.projections[pi];
    sic_kernel<<<blocks_for(n), kThreads>>>(p.cfg->sic, p.cfg->weight, ptr(d.in_ptr), ptr(d.in_syn),
                                            ptr(d.pre_of), ptr(m.groups[p.cfg->source].y), n, ptr(dn.I_sic),
                                            first);
    first = false;
  }
  cuda::check(cudaGetLastError(), "sic kernel");
}

std::int64_t NetworkDevice::li_rinzel_tick(GroupState& g, double t) {
  Impl& m = *impl_;
  Impl::Group& d = m.groups[g.cfg->index];
  const auto n = static_cast<std::int64_t>(g.cfg->n) * m.V;
  m.reset_bad(n);
  li_rinzel_kernel<<<blocks_for(n), kThreads>>>(ptr(d.li_rinzel_v), m.V, g.cfg->method, t, g.dt, n,
                                                ptr(d.ip3_in), ptr(d.y), m.bad.get());
  cuda::check(cudaGetLastError(), "li_rinzel kernel");
  return m.read_bad();
}

void NetworkDevice::relax_receptors(ProjectionState& p) {
  Impl::Projection& d = impl_->projections[p.cfg->index];
  relax_kernel<<<blocks_for(p.n_astro), kThreads>>>(p.n_astro, ptr(d.gamma), ptr(d.gamma_inf),
                                                    ptr(d.gamma_decay));
  cuda::check(cudaGetLastError(), "relax kernel");
}

void NetworkDevice::astrocyte_inputs(GroupState& g) {
  Impl& m = *impl_;
  Impl::Group& d = m.groups[g.cfg->index];
  const auto n = static_cast<std::int64_t>(g.cfg->n) * m.V;
  bool first = true;
  for (std::uint32_t pi : g.glutamate_from) {
    const ProjectionState& p = (*m.host_projections)[pi];
    Impl::Projection& dp = m.projections[pi];
    fold_kernel<<<blocks_for(n), kThreads>>>(n, p.n_blocks, ptr(dp.var), m.V, ptr(dp.acc), ptr(dp.Y_sum),
                                             ptr(d.Y_in), first);
    first = false;
  }
  mean_input_kernel<<<blocks_for(n), kThreads>>>(n, ptr(d.n_covered), ptr(d.ambient), ptr(d.Y_in), !first);
  for (std::uint32_t pi : g.receptors_of) {
    Impl::Projection& dp = m.projections[pi];
    receptor_kernel<<<blocks_for(n), kThreads>>>(n, ptr(dp.var), m.V, m.dt, ptr(d.G_A), ptr(dp.gamma_inf),
                                                 ptr(dp.gamma_decay));
  }
  cuda::check(cudaGetLastError(), "astrocyte input kernels");
}

std::int64_t NetworkDevice::astrocyte_tick(GroupState& g, double t, std::int64_t tick) {
  Impl& m = *impl_;
  Impl::Group& d = m.groups[g.cfg->index];
  const GroupConfig& cfg = *g.cfg;
  const auto n = static_cast<std::int64_t>(cfg.n) * m.V;
  if (g.coupled)
    coupling_kernel<<<blocks_for(n), kThreads>>>(n, ptr(d.coupling_v), m.V, ptr(d.row_ptr), ptr(d.neighbours),
                                                 ptr(d.y), ptr(d.J));
  m.reset_bad(n);
  astrocyte_kernel<<<blocks_for(n), kThreads>>>(ptr(d.astro_v), m.V, t, g.dt, tick, n, ptr(d.I_bias),
                                                ptr(d.Y_in), ptr(d.ambient), ptr(d.J), ptr(d.y), ptr(d.x_A),
                                                ptr(d.G_A), ptr(d.flag), m.bad.get());
  cuda::check(cudaGetLastError(), "astrocyte kernel");
  d.flag->download(g.flag.data());
  return m.read_bad();
}

void NetworkDevice::download(GroupState& g) {
  Impl& m = *impl_;
  Impl::Group& d = m.groups[g.cfg->index];
  copy_back(d.v, g.v);
  copy_back(d.g_e, g.g_e);
  copy_back(d.g_i, g.g_i);
  copy_back(d.i_syn, g.i_syn);
  copy_back(d.ref, g.refractory_until);
  copy_back(d.y, g.y);
  copy_back(d.x_A, g.x_A);
  copy_back(d.G_A, g.G_A);
  copy_back(d.Y_in, g.Y_in);
  copy_back(d.I_sic, g.I_sic);
  copy_back(d.ip3_in, g.ip3_in);
  for (std::uint32_t pi : g.receptors_of) copy_back(m.projections[pi].gamma, (*m.host_projections)[pi].gamma);
}

void NetworkDevice::download(ProjectionState& p) {
  Impl::Projection& d = impl_->projections[p.cfg->index];
  copy_back(d.u, p.u);
  copy_back(d.x, p.x);
  copy_back(d.Y, p.Y);
  copy_back(d.gamma, p.gamma);
  copy_back(d.rho, p.rho);
  copy_back(d.c, p.c);
}

}  // namespace glia::network
