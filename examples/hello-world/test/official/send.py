# Written as the official tutorial's send.py (rabbitmq-tutorials, python/): the same
# declaration and plain-text body, with AMQP_URL instead of localhost.
import os
import sys

import pika

connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()

channel.queue_declare(queue="hello", durable=True, arguments={"x-queue-type": "quorum"})

message = sys.argv[1] if len(sys.argv) > 1 else "Hello World!"
channel.basic_publish(exchange="", routing_key="hello", body=message)
print(f" [x] Sent '{message}'")

connection.close()
