#!/bin/sh
# Writes /config.json for the page from the container's environment (nginx image entrypoint hook).
set -eu
cat > /usr/share/nginx/html/config.json <<JSON
{
  "services": {
    "invoice": "${INVOICE_URL}",
    "dunning": "${DUNNING_URL}",
    "credit": "${CREDIT_URL}",
    "notification": "${NOTIFICATION_URL}"
  },
  "environment": "production",
  "clock": "system",
  "apiKey": null
}
JSON
