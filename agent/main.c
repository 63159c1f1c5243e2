/* main.c - placeholder until the agent core lands. */
int main(void)
{
	return 2;
}
