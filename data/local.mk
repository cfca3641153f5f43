# data: example data and its generator
