# plots: gnuplot templates, installed to $(pkgdatadir). src/io/plot.c runs
# them; set TSDIFF_PLOTS_DIR to use restyled copies.
dist_pkgdata_DATA += plots/style.gp plots/forecast.gp plots/backtest.gp plots/loss.gp \
	plots/covariates.gp
EXTRA_DIST += plots/example-sales.png
