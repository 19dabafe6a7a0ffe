"""The studio (shoppers and stylists), the gallery and staff moderation.

Views parse input, call one service and render a page, or only its partial when htmx asks.
"""
