/// The configuration `retina run` uses without `--config`: the sample streams of `Streams/`, served
/// on loopback by `scripts/rtsp-server.py` (the README's demo command starts it).
public enum DemoConfig {
    public static let yaml = """
    # Retina demo: two sample streams served by scripts/rtsp-server.py on 127.0.0.1:8554.
    store: sqlite:retina.db
    defaults:
      analysis: {fps: 5, width: 384}
      stallTimeout: 5s
      offlineAfter: 10s
      crowd: {dwell: 10s, cooldown: 60s, updateEvery: 15s}
      anomaly: {cooldown: 20s}
    groups:
      - {id: demo, name: Demo streams}
    cameras:
      - id: pets-walk
        name: PETS 2009 S2.L1 campus crossing
        url: rtsp://127.0.0.1:8554/pets-walk
        group: demo
        deviceId: "31011500001320000001"
        location: {lat: 31.2304, lon: 121.4737, address: Demo crossing}
        zones:
          # Count-based levels: the demo crossing has 3-8 people.
          - id: crossing
            polygon: [[0, 180], [768, 100], [768, 576], [0, 576]]
            countThresholds: {blue: 4, yellow: 6, orange: 8, red: 10}
          # The lawn in the lower left: nobody should walk there.
          - id: lawn
            kind: forbidden
            polygon: [[0, 260], [330, 330], [420, 576], [0, 576]]
        perspective:
          - {footY: 105, heightPx: 35}
          - {footY: 365, heightPx: 90}
      - id: plaza-synthetic
        name: Synthetic plaza
        url: rtsp://127.0.0.1:8554/plaza-synthetic
        group: demo
        deviceId: "31011500001320000002"
        location: {lat: 31.2310, lon: 121.4740, address: Demo plaza}
    """

    public static func load() -> Configuration {
        do {
            return try ConfigLoader.parse(yaml, file: "<embedded demo>")
        } catch {
            fatalError("the embedded demo configuration is invalid: \(error)")
        }
    }
}
