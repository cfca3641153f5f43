# src/io: errors and logging, the model file, the gnuplot driver, progress.
libtsdiff_a_SOURCES += src/io/error.c src/io/error.h
