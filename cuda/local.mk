# cuda: the CUDA backend module (built when configure finds the toolkit)
