"""Where documents and rows are kept: the raw store, Scrapy item pipelines, the Parquet datasets."""
