"""Async SDK for the NAVER Cloud Media Intelligence API."""
