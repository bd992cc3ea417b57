"""LabShare benchmarks: data generation at scale and named benchmarks against gunicorn."""
