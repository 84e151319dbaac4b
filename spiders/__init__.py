"""Scrapy spiders that find and fetch annual reports from county government sites."""
