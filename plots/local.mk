# plots: gnuplot templates, installed to $(pkgdatadir)
