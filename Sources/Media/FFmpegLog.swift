import CFFmpeg

/// libav prints to stderr by itself, and its messages may carry URLs with passwords. Retina reports
/// errors through its own logger, so libav stays quiet unless asked for a diagnosis.
public enum FFmpegLog {
    public enum Level: Sendable { case quiet, errors, warnings, verbose }

    public static func set(_ level: Level) {
        switch level {
        case .quiet: av_log_set_level(AV_LOG_QUIET)
        case .errors: av_log_set_level(AV_LOG_ERROR)
        case .warnings: av_log_set_level(AV_LOG_WARNING)
        case .verbose: av_log_set_level(AV_LOG_VERBOSE)
        }
    }
}
