print("ExportBench: not built yet")
