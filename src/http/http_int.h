/*
 * http_int.h - what the files of http/ share: the response of a server-sent events stream.
 */
#ifndef YL_HTTP_INT_H
#define YL_HTTP_INT_H

#include <microhttpd.h>

#include "http/http.h"

/* The libmicrohttpd response that pulls stream s (NULL when it cannot be made; the stream
 * is then freed). The response owns the stream from here on. */
struct MHD_Response *http_stream_response(struct http_stream *s);

#endif
