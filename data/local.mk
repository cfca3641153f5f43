# data: example data and its generator
# gen_sales writes data/sales.csv; the committed file is what the test
# compares the generator's output with. `make regen-sales` rewrites it.
noinst_PROGRAMS += data/gen_sales
data_gen_sales_SOURCES = data/gen_sales.c
data_gen_sales_CFLAGS = $(AM_CFLAGS) -ffp-contract=off
data_gen_sales_LDADD = -lm
EXTRA_DIST += data/sales.csv tests/gen_sales.sh
TESTS += tests/gen_sales.sh

regen-sales: data/gen_sales$(EXEEXT)
	data/gen_sales$(EXEEXT) $(srcdir)/data/sales.csv
.PHONY: regen-sales
