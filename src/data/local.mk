# src/data
libtsdiff_a_SOURCES += src/data/series.h
