#!/bin/sh
# Starts RabbitMQ in the foreground with the settings the official image
# gives: the first user from RABBITMQ_DEFAULT_USER/PASS, logs on stdout.
set -eu
cat >/etc/rabbitmq/conf.d/05-container.conf <<CONF
default_user = ${RABBITMQ_DEFAULT_USER:-guest}
default_pass = ${RABBITMQ_DEFAULT_PASS:-guest}
loopback_users = none
log.console = true
log.file = false
CONF
exec rabbitmq-server
