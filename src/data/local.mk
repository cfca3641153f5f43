# src/data
libtsdiff_a_SOURCES += src/data/series.h
# windows, scaling and input channels (window.h)
libtsdiff_a_SOURCES += src/data/window.c src/data/window.h src/data/window_features.c \
	src/data/window_features.h src/data/window_index.c
