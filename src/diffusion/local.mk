# src/diffusion
libtsdiff_a_SOURCES += src/diffusion/schedule.h src/diffusion/sampler.h
