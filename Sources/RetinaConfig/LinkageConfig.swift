import Vocabulary

/// The configuration's `linkage:`: an MQTT broker and webhook subscribers that the queue's changes
/// are pushed to (issue 21). Secrets are kept here and said in no message.
public struct LinkageConfig: Sendable, Equatable {
    public var mqtt: MQTT?
    public var webhooks: [Webhook] = []

    public init(mqtt: MQTT? = nil, webhooks: [Webhook] = []) {
        self.mqtt = mqtt
        self.webhooks = webhooks
    }

    public var isEmpty: Bool { mqtt == nil && webhooks.isEmpty }

    public struct MQTT: Sendable, Equatable {
        /// `mqtt://[user[:password]@]host[:port]`.
        public var url: String
        public var topicPrefix: String

        public init(url: String, topicPrefix: String) {
            self.url = url
            self.topicPrefix = topicPrefix
        }
    }

    public struct Webhook: Sendable, Equatable {
        public var name: String
        public var url: String
        public var secret: String
        public var filter: SubscriptionFilter
        /// Seconds one POST may take.
        public var timeout: Double
        /// A message still failing after this many seconds becomes a dead letter.
        public var giveUpAfter: Double
    }
}
