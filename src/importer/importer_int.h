/*
 * importer_int.h - what the driver (importer.c) and the NDJSON reader (ndjson.c) share.
 */
#ifndef YL_IMPORTER_INT_H
#define YL_IMPORTER_INT_H

#include <stdio.h>

#include "importer/importer.h"

/* The two extra columns of a translated NDJSON stream that carry a line's refusal (the
 * field at fault and the message); empty on a good line. */
#define IMP_NDJSON_FIELD "_ndjson_field"
#define IMP_NDJSON_ERROR "_ndjson_error"

/* A CSV stream translated line for line from the NDJSON in `in` (ndjson.c says how): a
 * header of the spec's required and optional columns (without a column list, those of the
 * first record) and the two refusal columns, then line N of `in` as line N + 1. Closing it
 * does not close `in`. NULL when the stream cannot be made. */
FILE *imp_ndjson_open(FILE *in, const struct imp_spec *spec);

#endif
