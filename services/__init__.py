"""The four edu-clusters services. None imports another; they share only ``shared`` and Kafka topics."""
