#!/usr/bin/env bash
# A parameter sweep over several cluster nodes with SLURM (docs/sweep_config.md, "Several processes"):
#   sbatch --nodes=4 --ntasks-per-node=2 --cpus-per-task=16 scripts/slurm_sweep.sh CONFIG.json OUT.h5
# Every task is one glia rank; rank 0 writes OUT.h5 (on a file system the first node can write). Each rank uses
# its task's CPUs as threads. Resubmitting the same job resumes a sweep that was cut by the time limit or a
# failed node: finished chunks stay in OUT.h5.
#SBATCH --job-name=glia-sweep
#SBATCH --output=glia-sweep-%j.log
set -euo pipefail
if [[ $# -ne 2 ]]; then
  echo "usage: sbatch [SLURM options] scripts/slurm_sweep.sh CONFIG.json OUT.h5" >&2
  exit 2
fi
config=$1 out=$2
glia=${GLIA:-build/glia}
threads=${SLURM_CPUS_PER_TASK:-1}
if [[ -n ${SLURM_JOB_ID:-} ]] && srun --mpi=list 2>/dev/null | grep -q pmix; then
  # SLURM's own launcher with PMIx (OpenMPI from Debian supports it)
  exec srun --mpi=pmix "$glia" sweep "$config" -o "$out" --threads "$threads"
fi
exec mpirun -np "${SLURM_NTASKS:-2}" --bind-to none "$glia" sweep "$config" -o "$out" --threads "$threads"
