/** The plugins every broker the harness starts runs, as an enabled_plugins file: the management API, and streams (step 8). */
export const ENABLED_PLUGINS = '[rabbitmq_management,rabbitmq_stream].\n';
