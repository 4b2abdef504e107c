"""Export a release as a Hugging Face dataset: `exporter.export_dataset` is the entry point."""
