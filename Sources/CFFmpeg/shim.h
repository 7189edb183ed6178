// What Swift cannot import from libav's headers: function-like and casted macros.
#ifndef RETINA_CFFMPEG_SHIM_H
#define RETINA_CFFMPEG_SHIM_H
#include <errno.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>

static inline int retina_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int retina_averror_eof(void) { return AVERROR_EOF; }
static inline int retina_averror_exit(void) { return AVERROR_EXIT; }
static inline int retina_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int retina_averror_http_unauthorized(void) { return AVERROR_HTTP_UNAUTHORIZED; }
static inline int retina_averror_http_not_found(void) { return AVERROR_HTTP_NOT_FOUND; }
static inline int retina_averror_http_forbidden(void) { return AVERROR_HTTP_FORBIDDEN; }
static inline int retina_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }
static inline int retina_averror_stream_not_found(void) { return AVERROR_STREAM_NOT_FOUND; }
static inline int retina_averror_errno(int e) { return AVERROR(e); }
static inline int64_t retina_nopts(void) { return AV_NOPTS_VALUE; }
static inline int retina_pkt_is_key(const AVPacket *p) { return (p->flags & AV_PKT_FLAG_KEY) != 0; }
static inline int retina_frame_is_key(const AVFrame *f) { return f->key_frame; }
#endif
