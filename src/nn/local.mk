# src/nn
libtsdiff_a_SOURCES += src/nn/backend.h src/nn/unet.h src/nn/params.h
