import HNTTGovernance
import Testing

@testable import HNTTDocuments

@Suite("The logbook's quality line with the bridge's view of the room's leg")
struct BridgeQualityLineTests {
    static func end() -> SessionEndContent {
        SessionEndContent(endedAt: "2026-12-02T09:00:00Z", procedure: "shutdown", operatorName: "Lê Thị B")
    }

    @Test("the codec's figures and the bridge's stand side by side, each named")
    func both() {
        var end = Self.end()
        end.qualitySamples = "3"
        end.lossAverage = "0.20"
        end.lossWorst = "0.50"
        end.bridge = "cms"
        end.bridgeSamples = "3"
        end.bridgeLossAverage = "1.50"
        end.bridgeLossWorst = "1.50"
        end.bridgeRoundTripAverage = "80"
        let line = LogbookDocument.sampledQuality(end)
        #expect(line?.hasPrefix("Chất lượng trong phiên: 3 lần đo; mất gói trung bình 0.20 %") == true)
        #expect(line?.contains("Theo cầu hội nghị cms: 3 lần đo; mất gói âm thanh trung bình 1.50 %") == true)
        #expect(line?.hasSuffix("trễ khứ hồi trung bình 80 ms") == true)
    }

    @Test("only the bridge measured: its line alone; nothing measured: no line")
    func bridgeAlone() {
        var end = Self.end()
        #expect(LogbookDocument.sampledQuality(end) == nil)
        end.bridge = "cms"
        end.bridgeSamples = "2"
        end.bridgeJitterAverage = "10"
        end.bridgeJitterWorst = "12"
        #expect(
            LogbookDocument.sampledQuality(end)
                == "Theo cầu hội nghị cms: 2 lần đo; jitter trung bình 10 ms, cao nhất 12 ms")
    }
}
