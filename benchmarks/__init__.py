"""Benchmarks: qualify's stages against raw baselines measured in the same run (`make bench`)."""
