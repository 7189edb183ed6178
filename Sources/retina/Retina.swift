import ArgumentParser

@main
struct Retina: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retina",
        abstract: "Video analytics for a community digital retina: RTSP cameras in, events out.",
        discussion: """
        Retina pulls camera streams, decodes them with FFmpeg, runs its detectors
        and publishes events into a dispatch queue (SQLite by default) that the
        security office works.

        Quick start:
          scripts/demo                     demo RTSP server + `retina run`
          retina run --config cameras.yaml this node's share of a deployment
          retina run --camera gate=URL     ad-hoc cameras, no config file
          retina events list               what happened
          retina status                    camera health, who serves each group
          retina serve                     the security office (web page, API)
          retina export --event ID --out D an evidence package for the police
        """,
        version: RetinaVersion.string,
        subcommands: [Run.self, WorkerCommand.self, Probe.self, Detect.self, TrackCommand.self, EventsCommand.self, Status.self, ConfigCommand.self, Eval.self, Forecast.self, Calibrate.self, Publish.self, Serve.self, TokensCommand.self, Export.self, Verify.self, KeysCommand.self, LinkageCommand.self]
    )
}

enum RetinaVersion {
    static let string = "0.1.0"
}
