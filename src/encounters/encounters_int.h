/*
 * encounters_int.h - what the files of encounters/ share: reading the rows of the two
 * column lists of store/sql_encounters.h, and ending a one-row statement.
 */
#ifndef YL_ENCOUNTERS_INT_H
#define YL_ENCOUNTERS_INT_H

#include "encounters/encounters.h"

struct store_stmt;

/* A row of ENC_SQL_REGISTRATION_COLUMNS / ENC_SQL_ENCOUNTER_COLUMNS into *out. */
void enc_registration_from_row(struct store_stmt *st, struct enc_registration *out);
void enc_encounter_from_row(struct store_stmt *st, struct enc_encounter *out);

/* End a statement after the store_step that returned rc: one stopped on a row is run to its
 * end; one that ended or failed must not be stepped again (SQLite would run it twice). */
void enc_stmt_finish(struct store_stmt *st, int rc);

#endif
