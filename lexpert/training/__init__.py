"""Training and measuring: corpora, real-act labels, model fitting, evaluation, benchmarks."""
