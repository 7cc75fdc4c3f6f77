"""glassgrad's benchmarks: glassgrad against baselines timed in the same process."""
