# Written as the official tutorial's receive.py (rabbitmq-tutorials, python/): the same
# declaration and plain-text body, with AMQP_URL instead of localhost.
import os

import pika

connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()

channel.queue_declare(queue="hello", durable=True, arguments={"x-queue-type": "quorum"})


def callback(ch, method, properties, body):
    print(f" [x] Received {body.decode()}")


channel.basic_consume(queue="hello", on_message_callback=callback, auto_ack=True)

print(" [*] Waiting for messages. To exit press CTRL+C")
# As the official programs do: Ctrl+C ends the program quietly, exit 0.
try:
    channel.start_consuming()
except KeyboardInterrupt:
    print("Interrupted")
    connection.close()
